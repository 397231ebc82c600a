import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Count the password checks (scrypt) sign-in makes, without changing what they do: the code path is asserted, never
// the wall clock (timing belongs in benchmarks).
const checks = vi.hoisted(() => ({ hashes: [] as string[] }))
vi.mock('#platform/identity/password.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('#platform/identity/password.ts')>()
  return {
    ...actual,
    verifyPassword: async (password: string, stored: string) => {
      checks.hashes.push(stored)
      return actual.verifyPassword(password, stored)
    },
  }
})

const { signIn } = await import('#platform/identity/sign-in.ts')
const { DUMMY_PASSWORD_HASH } = await import('#platform/identity/password.ts')
const { MAX_FAILED_ATTEMPTS } = await import('#platform/identity/policy.ts')

describe('known and unknown usernames: same answer, same work', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
    checks.hashes.length = 0
  })
  afterEach(() => t.destroy())

  it('runs scrypt once for an unknown username too (against a dummy hash) and answers exactly as for a known one', async () => {
    const known = await signIn(t.db, { username: 'operator', password: 'Not-The-Password-1', address: '198.51.100.1' })
    expect(checks.hashes).toHaveLength(1)
    expect(checks.hashes[0]).not.toBe(DUMMY_PASSWORD_HASH)
    const unknown = await signIn(t.db, { username: 'no.such.user', password: 'Not-The-Password-1', address: '198.51.100.2' })
    expect(checks.hashes).toHaveLength(2)
    expect(checks.hashes[1]).toBe(DUMMY_PASSWORD_HASH)
    // The dummy hash costs what a real one costs: the same scrypt parameters.
    expect(DUMMY_PASSWORD_HASH.split('$').slice(0, 4)).toEqual(checks.hashes[0]!.split('$').slice(0, 4))
    expect(unknown).toEqual(known)
    expect(known).toEqual({
      ok: false,
      error: { kind: 'unauthorized', code: 'invalid_credentials', message: 'Wrong username or password' },
    })
  })

  it('checks at most 5 passwords of 20 parallel guesses at one account from one address', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(t.db, { username: 'bureau', password: `guess-${i}`, address: '198.51.100.9' })),
    )
    expect(checks.hashes.length).toBeLessThanOrEqual(MAX_FAILED_ATTEMPTS)
  })
})
