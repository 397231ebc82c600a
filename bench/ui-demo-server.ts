/**
 * A seeded platform for the UI benches and screenshots: a fresh temp database (migrate, city `small`, seedPlatform),
 * the whole platform (Remix UI + gateway, createPlatformServer, production mode) on a random port in this process.
 * Needs `remix build`. Returns the demo accounts' passwords and a stop function that deletes the database.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { readEnv } from '#platform/env.ts'
import { DEV_DATA_ENCRYPTION_KEY, dataKeyringFromEnv, useDataKeyring } from '#platform/crypto/data-keyring.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { createPlatformServer } from '../server/create-platform-server.ts'

export interface UiDemoServer {
  origin: string
  passwords: Record<string, string>
  stop(): Promise<void>
}

export async function startUiDemoServer(): Promise<UiDemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-ui-'))
  const url = `file:${join(dir, 'platform.db')}`
  const database = await openDatabase(url)
  await migrateDatabase(database.db)
  await seedCity(database.db, { scale: 'small' })
  const { credentials } = await seedPlatform(database.db)
  const env = readEnv({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    // Demo mode as `npm start` serves the demo: no second factor to enrol for the bureau and the operator.
    DEMO_MODE: 'true',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
    SUBJECT_HASH_KEY: 'bench-subject-hash-key-0123456789abcdef',
    DATA_ENCRYPTION_KEY: `bench:${'be'.repeat(32)},${DEV_DATA_ENCRYPTION_KEY}`,
  })
  useDataKeyring(dataKeyringFromEnv(env))
  const platform = await createPlatformServer({ database, env, log: () => undefined })
  const origin = `http://127.0.0.1:${new URL(platform.url).port}`
  return {
    origin,
    passwords: credentials.passwords,
    async stop() {
      await platform.close()
      database.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
