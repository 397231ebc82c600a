import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { auditLog, sessions, signInThrottles, users } from '#db/schema/index.ts'
import { demoPassword } from '#test/support/demo-credentials.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { signOut } from '#platform/identity/sign-out.ts'
import { getSessionUser } from '#platform/identity/get-session-user.ts'
import { IDLE_TIMEOUT_MS, LOCKOUT_MS } from '#platform/identity/policy.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('sign-in, lock-out and idle timeout', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const T0 = Date.UTC(2026, 10, 28, 2, 0, 0)

  it('signs in with the right password and resolves the session to the user and their scope', async () => {
    const result = await signIn(t.db, { username: 'partner.admin', password: demoPassword('partner.admin'), now: T0 })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.user.role).toBe('partner_admin')
    const session = await getSessionUser(t.db, { token: result.value.token, now: T0 + 1000 })
    expect(session).toMatchObject({
      state: 'active',
      user: { username: 'partner.admin', partnerName: '沈阳盛京智能科技有限公司' },
    })
  })

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await signIn(t.db, { username: 'operator', password: 'nope', now: T0 })
    const unknown = await signIn(t.db, { username: 'nobody', password: 'nope', now: T0 })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } })
  })

  it('locks the account from that address for 15 minutes after 5 consecutive failures, even against the right password', async () => {
    const address = '203.0.113.5'
    for (let i = 1; i <= 4; i++) {
      expect(await signIn(t.db, { username: 'operator', password: 'wrong', address, now: T0 + i })).toMatchObject({
        error: { code: 'invalid_credentials' },
      })
    }
    expect(await signIn(t.db, { username: 'operator', password: 'wrong', address, now: T0 + 5 })).toMatchObject({
      error: { code: 'account_locked', fields: { lockedUntil: String(T0 + 5 + LOCKOUT_MS) } },
    })
    const [row] = await t.db
      .select()
      .from(signInThrottles)
      .where(and(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.subject, `${address}|operator`)))
    expect(row!.blockedUntil).toBe(T0 + 5 + LOCKOUT_MS)
    expect(
      await signIn(t.db, { username: 'operator', password: demoPassword('operator'), address, now: T0 + LOCKOUT_MS - 1 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'account_locked' },
    })
    expect(
      (await signIn(t.db, { username: 'operator', password: demoPassword('operator'), address, now: T0 + 6 + LOCKOUT_MS })).ok,
    ).toBe(true)
  })

  it('resets the failure count on success, so failures must be consecutive', async () => {
    for (let i = 0; i < 4; i++) await signIn(t.db, { username: 'bureau', password: 'wrong', now: T0 })
    expect((await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 })).ok).toBe(true)
    for (let i = 0; i < 4; i++) await signIn(t.db, { username: 'bureau', password: 'wrong', now: T0 })
    expect((await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 })).ok).toBe(true)
  })

  it('ends a session idle for more than 30 minutes, and keeps an active one alive', async () => {
    const result = await signIn(t.db, { username: 'scjg', password: demoPassword('scjg'), now: T0 })
    if (!result.ok) throw new Error('sign-in failed')
    const token = result.value.token
    // Activity every 20 minutes keeps it alive well past 30 minutes in total.
    expect((await getSessionUser(t.db, { token, now: T0 + 20 * 60_000 })).state).toBe('active')
    expect((await getSessionUser(t.db, { token, now: T0 + 40 * 60_000 })).state).toBe('active')
    expect((await getSessionUser(t.db, { token, now: T0 + 40 * 60_000 + IDLE_TIMEOUT_MS + 1 })).state).toBe('idle_expired')
    expect((await getSessionUser(t.db, { token, now: T0 + 41 * 60_000 })).state).toBe('none')
  })

  it('signs out: the token no longer resolves', async () => {
    const result = await signIn(t.db, { username: 'partner.dev', password: demoPassword('partner.dev') })
    if (!result.ok) throw new Error('sign-in failed')
    await signOut(t.db, {
      token: result.value.token,
      actor: { id: result.value.user.id, label: 'partner.dev', role: 'partner_developer' },
    })
    expect((await getSessionUser(t.db, { token: result.value.token })).state).toBe('none')
  })

  it('never stores or logs the password or the session token in clear, and audits every attempt', async () => {
    const before = (await t.db.select().from(auditLog)).length
    await signIn(t.db, { username: 'operator', password: 'Wrong-Secret-123', now: T0 })
    const ok = await signIn(t.db, { username: 'operator', password: demoPassword('operator'), now: T0 })
    if (!ok.ok) throw new Error('sign-in failed')
    const audit = await t.db.select().from(auditLog)
    expect(audit.slice(before).map((a) => a.action)).toEqual(['auth.sign_in_failed', 'auth.sign_in'])
    const everything = JSON.stringify([audit, await t.db.select().from(users), await t.db.select().from(sessions)])
    expect(everything).not.toContain('Wrong-Secret-123')
    expect(everything).not.toContain(demoPassword('operator'))
    expect(everything).not.toContain(ok.value.token)
  })
})
