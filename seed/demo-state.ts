import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import type { Env } from '#platform/env.ts'
import { generateDataEncryptionKey } from '#platform/crypto/data-keyring.ts'
import { deriveDemoPassword, generateDemoCredentials, generateSecret } from '#seed/demo-credentials.ts'
import { DEMO_USERS } from '#seed/platform-fixtures.ts'

/**
 * Demo mode is an explicit state of an install (ADR 0018): at its first start it gets random secrets, random demo
 * passwords and a random demo API key, kept in `demo-secrets.json` in the data directory (mode 0600) and printed
 * once. Later starts read them from there and only say where they are.
 */
export const DEMO_STATE_FILE = 'demo-secrets.json'

const demoStateSchema = z.object({
  createdAt: z.string(),
  secrets: z.object({
    SESSION_SECRET: z.string().min(32),
    SUBJECT_HASH_KEY: z.string().min(32),
    DATA_ENCRYPTION_KEY: z.string().min(32),
  }),
  credentials: z.object({ passwords: z.record(z.string()), apiKey: z.string() }),
})

export type DemoState = z.infer<typeof demoStateSchema>

/** The data directory: the embedded database's folder, or `data/` when the database is a server. */
export function dataDirectoryOf(databaseUrl: string, cwd = process.cwd()): string {
  if (!databaseUrl.startsWith('file:')) return resolve(cwd, 'data')
  const path = databaseUrl.slice('file:'.length).split('?')[0]!
  return dirname(isAbsolute(path) ? path : resolve(cwd, path))
}

/**
 * Reads the install's demo state, or creates it. Creation is exclusive: when two processes start at once
 * (the supervisor's serving and standby workers) one writes and the other reads the same values.
 */
export function loadOrCreateDemoState(dataDirectory: string): {
  state: DemoState
  path: string
  created: boolean
  /** Demo accounts this version adds to an install created before them: their passwords are new (print them). */
  addedUsers: string[]
} {
  const path = join(dataDirectory, DEMO_STATE_FILE)
  mkdirSync(dataDirectory, { recursive: true })
  const fresh: DemoState = {
    createdAt: new Date().toISOString(),
    secrets: {
      SESSION_SECRET: generateSecret(),
      SUBJECT_HASH_KEY: generateSecret(),
      // A keyring entry in the form platform/crypto/data-keyring.ts parses (`k1:<64 hex>`).
      DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
    },
    credentials: generateDemoCredentials(),
  }
  // Written whole to a private file, then linked into place: link() fails if the name exists, so a reader never
  // sees half a file and exactly one process creates it.
  const temporary = `${path}.${process.pid}.${generateSecret(4)}`
  writeFileSync(temporary, JSON.stringify(fresh, null, 2) + '\n', { flag: 'wx', mode: 0o600 })
  try {
    linkSync(temporary, path)
    return { state: fresh, path, created: true, addedUsers: [] }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    unlinkSync(temporary)
  }
  const mode = statSync(path).mode & 0o777
  if (mode & 0o077) throw new Error(`${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`)
  const parsed = demoStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success) throw new Error(`${path} is not a valid demo state file; delete it to start the demo afresh`)
  const state = parsed.data
  const addedUsers = DEMO_USERS.map((u) => u.username).filter((name) => !(name in state.credentials.passwords))
  if (addedUsers.length) {
    // Derived, not random: the supervisor's two workers may both get here, and must agree on the same passwords.
    for (const name of addedUsers) state.credentials.passwords[name] = deriveDemoPassword(state.secrets.SESSION_SECRET, name)
    const temporary = `${path}.${process.pid}.${generateSecret(4)}`
    writeFileSync(temporary, JSON.stringify(state, null, 2) + '\n', { flag: 'wx', mode: 0o600 })
    renameSync(temporary, path)
  }
  return { state, path, created: false, addedUsers }
}

/** The environment with the demo state's secrets in place of the development defaults (a secret set explicitly wins). */
export function withDemoSecrets(env: Env, state: DemoState): Env {
  const pick = (value: string | undefined, generated: string) =>
    value === undefined || value.startsWith('dev-only-') ? generated : value
  const next = { ...env }
  next.SESSION_SECRET = pick(env.SESSION_SECRET, state.secrets.SESSION_SECRET)
  next.SUBJECT_HASH_KEY = pick(env.SUBJECT_HASH_KEY, state.secrets.SUBJECT_HASH_KEY)
  next.DATA_ENCRYPTION_KEY = pick(env.DATA_ENCRYPTION_KEY, state.secrets.DATA_ENCRYPTION_KEY)
  return next
}
