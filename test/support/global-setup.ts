import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import type { DemoCredentials } from '#seed/demo-credentials.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    baseDatabasePath: string
    /** This run's random demo passwords and API key (test/support/demo-credentials.ts). */
    demoCredentials: DemoCredentials
  }
}

/**
 * Migrates and seeds (small scale) one base database for the whole run. Each
 * test copies it (test/support/test-database.ts): real SQLite, no mocks, and
 * no test sees another's writes.
 */
export default async function setup(project: TestProject) {
  const dir = join(process.cwd(), 'test', '.tmp')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `base-${process.pid}-${project.name}.db`)
  const database = await openDatabase(`file:${path}`)
  await migrateDatabase(database.db)
  await seedCity(database.db, { scale: 'small' })
  const { credentials } = await seedPlatform(database.db)
  // Fold the WAL into the main file so a copy of that file alone is a complete database.
  const checkpoint = await database.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
  if (Number(checkpoint.rows[0]?.[0]) !== 0) throw new Error('could not checkpoint the base database')
  database.close()
  project.provide('baseDatabasePath', path)
  project.provide('demoCredentials', credentials)
  return () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  }
}
