import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nativePathSwitchedOff } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// The vitest project `client-path` runs a subset of the integration tests with DATABASE_NATIVE=off: every query
// through @libsql/client, the path a `libsql://` URL takes (ADR 0043). This proves which path the run is on.
describe('the database path of this run', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it('has the native fast path unless DATABASE_NATIVE=off', () => {
    expect(nativeStoreOf(t.db) === undefined).toBe(process.env.DATABASE_NATIVE === 'off')
    expect(nativePathSwitchedOff({ DATABASE_NATIVE: 'off' })).toBe(true)
    expect(nativePathSwitchedOff({ DATABASE_NATIVE: 'on' })).toBe(false)
    expect(nativePathSwitchedOff({})).toBe(false)
  })
})
