import type { ServerBuild } from '@remix-run/node'
import { readEnv, type Env } from '#platform/env.ts'
import { createPlatformServer } from '../../server/create-platform-server.ts'
import { createTestDatabase, type TestDatabase } from './test-database.ts'

export interface PlatformHarness {
  /** Base URL of the running platform (UI and /api/v1), e.g. http://localhost:41234 */
  url: string
  /** The platform's private database copy: read or adjust rows from the test. */
  database: TestDatabase
  /** TCP connections the server holds open now (a leak shows up here after the clients have gone). */
  openConnections(): Promise<number>
  /** Closes the server (flushing metering), then deletes the database copy. */
  stop(): Promise<void>
}

/**
 * The platform's environment in tests. Demo mode by default, as `npm start` serves the seeded demo accounts: outside
 * it the bureau and the operator must enrol a second factor before anything else (ADR 0020), which only the tests of
 * that (test/e2e/two-factor.test.ts) go through — they pass `{ DEMO_MODE: 'false' }`.
 */
export const testEnv = (overrides: Record<string, string> = {}): Env =>
  readEnv({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO_MODE: 'true',
    SESSION_SECRET: 'test-session-secret-0123456789abcdef',
    SUBJECT_HASH_KEY: 'test-subject-hash-key-0123456789abcdef',
    ...overrides,
  })

/**
 * The whole platform (Remix UI + metered gateway) on a random port over a
 * private copy of the seeded database. Needs `npx remix build` first
 * (build/index.js, public/build). Server log lines are collected, not printed.
 */
export async function startPlatform(
  opts: { build?: ServerBuild; log?: (line: string) => void; env?: Record<string, string> } = {},
): Promise<PlatformHarness> {
  const database = await createTestDatabase()
  let platform: Awaited<ReturnType<typeof createPlatformServer>>
  try {
    platform = await createPlatformServer({
      database,
      // The server's files beside its database (rectification evidence: ADR 0028), not in the working copy's data/.
      env: testEnv({ DATABASE_URL: database.url, ...opts.env }),
      build: opts.build,
      log: opts.log ?? (() => undefined),
    })
  } catch (error) {
    database.destroy()
    throw error
  }
  // The server listens on 127.0.0.1; say so in the URL so no client tries ::1 first.
  const port = new URL(platform.url).port
  const url = `http://127.0.0.1:${port}`
  let stopped: Promise<void> | null = null
  return {
    url,
    database,
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        platform.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    stop() {
      stopped ??= (async () => {
        try {
          await platform.close()
        } finally {
          database.destroy()
        }
      })()
      return stopped
    },
  }
}
