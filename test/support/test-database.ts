import { copyFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { openDatabase, type Database } from '#db/client.ts'

export interface TestDatabase extends Database {
  path: string
  /** Closes and deletes the copy. */
  destroy(): void
}

/** A private copy of the migrated, small-seeded base database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const path = join(tmpdir(), `sdp-test-${randomUUID()}.db`)
  copyFileSync(inject('baseDatabasePath'), path)
  const database = await openDatabase(`file:${path}`)
  let closed = false
  return {
    ...database,
    path,
    close() {
      if (!closed) database.close()
      closed = true
    },
    destroy() {
      if (!closed) database.close()
      closed = true
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
    },
  }
}
