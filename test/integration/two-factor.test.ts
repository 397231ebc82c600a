import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { generate } from 'otplib'
import { auditLog, recoveryCodes, users } from '#db/schema/index.ts'
import { getSessionUser } from '#platform/identity/get-session-user.ts'
import { MAX_CODE_ATTEMPTS, STEP_UP_MAX_AGE_MS } from '#platform/identity/policy.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { isStepUpFresh, stepUp } from '#platform/identity/step-up.ts'
import { hashRecoveryCode } from '#platform/identity/totp.ts'
import {
  confirmTwoFactorEnrolment,
  getTwoFactorStatus,
  resetTwoFactor,
  startTwoFactorEnrolment,
} from '#platform/identity/two-factor-enrolment.ts'
import { verifySecondFactor } from '#platform/identity/verify-second-factor.ts'
import { dataKeyringFromEnv, generateDataEncryptionKey, parseDataKeyring, useDataKeyring } from '#platform/crypto/data-keyring.ts'
import { rotateDataKey } from '#platform/crypto/rotate-data-key.ts'
import { demoPassword } from '#test/support/demo-credentials.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const T0 = Date.UTC(2026, 11, 1, 2, 0, 0)
const STEP = 30_000
const codeAt = (secret: string, at: number) => generate({ secret, epoch: Math.floor(at / 1000) })

describe('TOTP second factor: enrolment, sign-in, recovery codes, step-up', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function bureau() {
    const [row] = await t.db.select().from(users).where(eq(users.username, 'bureau'))
    return { id: row!.id, actor: { id: row!.id, label: row!.username, role: row!.role } }
  }

  /** Enrols bureau at T0; returns the secret and the recovery codes. */
  async function enrol() {
    const { id, actor } = await bureau()
    expect(await startTwoFactorEnrolment(t.db, { userId: id, actor })).toEqual({ ok: true, value: { started: true } })
    const status = await getTwoFactorStatus(t.db, { userId: id })
    const secret = status.pending!.secret
    expect(status.pending!.uri).toMatch(/^otpauth:\/\/totp\/.+\?.*secret=/)
    expect(status.pending!.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/)
    const confirmed = await confirmTwoFactorEnrolment(t.db, { userId: id, actor, code: await codeAt(secret, T0), now: T0 })
    if (!confirmed.ok) throw new Error(confirmed.error.code)
    return { id, actor, secret, codes: confirmed.value.recoveryCodes }
  }

  it('enrols with a code from the new secret; stores the secret sealed and only hashes of the ten recovery codes', async () => {
    const { id, actor } = await bureau()
    await startTwoFactorEnrolment(t.db, { userId: id, actor })
    const wrong = await confirmTwoFactorEnrolment(t.db, { userId: id, actor, code: '000000', now: T0 })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_code' } })
    const { secret, codes } = await enrol()
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    const [row] = await t.db.select().from(users).where(eq(users.id, id))
    expect(row!.totpSecret).toMatch(/^sm4:v1:/)
    expect(row!.totpPendingSecret).toBeNull()
    const stored = await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, id))
    expect(stored.map((r) => r.codeHash).sort()).toEqual(codes.map(hashRecoveryCode).sort())
    const everything = JSON.stringify([await t.db.select().from(users), stored, await t.db.select().from(auditLog)])
    expect(everything).not.toContain(secret)
    for (const code of codes) expect(everything).not.toContain(code)
    expect((await getTwoFactorStatus(t.db, { userId: id })).recoveryCodesLeft).toBe(10)
  })

  it('asks for the code after the password; a code is good once; a wrong code counts', async () => {
    const { secret } = await enrol()
    const first = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 + STEP })
    if (!first.ok) throw new Error('sign-in failed')
    expect(first.value.stage).toBe('second_factor')
    // Nothing is reachable with the password alone.
    expect(await getSessionUser(t.db, { token: first.value.token, now: T0 + STEP })).toMatchObject({ state: 'second_factor' })
    expect(await verifySecondFactor(t.db, { token: first.value.token, code: '123456', now: T0 + STEP })).toMatchObject({
      ok: false,
      error: { code: 'invalid_code' },
    })
    const code = await codeAt(secret, T0 + STEP)
    expect(await verifySecondFactor(t.db, { token: first.value.token, code, now: T0 + STEP })).toMatchObject({
      ok: true,
      value: { secondFactor: 'totp' },
    })
    expect(await getSessionUser(t.db, { token: first.value.token, now: T0 + STEP })).toMatchObject({
      state: 'active',
      user: { hasTwoFactor: true, twoFactorVerifiedAt: T0 + STEP },
    })
    // The same code again, in a second sign-in within its 30 s: refused (replay).
    const second = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 + STEP + 1 })
    if (!second.ok) throw new Error('sign-in failed')
    expect(await verifySecondFactor(t.db, { token: second.value.token, code, now: T0 + STEP + 1 })).toMatchObject({
      error: { code: 'invalid_code' },
    })
  })

  it('ends a pending sign-in after 5 wrong codes, which also lock that address out of the account like wrong passwords', async () => {
    await enrol()
    const pending = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), address: '198.51.100.5', now: T0 })
    if (!pending.ok) throw new Error('sign-in failed')
    const results = []
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) {
      results.push(
        await verifySecondFactor(t.db, { token: pending.value.token, code: `00000${i}`, address: '198.51.100.6', now: T0 }),
      )
    }
    expect(results.slice(0, -1).every((r) => !r.ok && r.error.code === 'invalid_code')).toBe(true)
    expect(results.at(-1)).toMatchObject({ ok: false, error: { code: 'account_locked' } })
    expect((await getSessionUser(t.db, { token: pending.value.token, now: T0 })).state).toBe('none')
    // From another address the password and a good code still sign in.
    expect(
      (await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), address: '198.51.100.7', now: T0 })).ok,
    ).toBe(true)
  })

  it('accepts each recovery code once, in place of a TOTP', async () => {
    const { codes } = await enrol()
    const signInWith = async (code: string) => {
      const pending = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 })
      if (!pending.ok) throw new Error('sign-in failed')
      return verifySecondFactor(t.db, { token: pending.value.token, code, now: T0 })
    }
    const typed = codes[0]!.toUpperCase().replace(/-/g, ' ')
    expect(await signInWith(typed)).toMatchObject({ ok: true, value: { secondFactor: 'recovery_code' } })
    expect(await signInWith(codes[0]!)).toMatchObject({ ok: false, error: { code: 'invalid_code' } })
    const { id } = await bureau()
    expect((await getTwoFactorStatus(t.db, { userId: id })).recoveryCodesLeft).toBe(9)
  })

  it('step-up: fresh for 5 minutes after a code, then a new code is needed', async () => {
    const { secret } = await enrol()
    const pending = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 + STEP })
    if (!pending.ok) throw new Error('sign-in failed')
    await verifySecondFactor(t.db, { token: pending.value.token, code: await codeAt(secret, T0 + STEP), now: T0 + STEP })
    const lookup = async (now: number) => {
      const found = await getSessionUser(t.db, { token: pending.value.token, now })
      if (found.state !== 'active') throw new Error(found.state)
      return found.user
    }
    expect(isStepUpFresh(await lookup(T0 + STEP + STEP_UP_MAX_AGE_MS), T0 + STEP + STEP_UP_MAX_AGE_MS)).toBe(true)
    const later = T0 + STEP + STEP_UP_MAX_AGE_MS + 1
    expect(isStepUpFresh(await lookup(later), later)).toBe(false)
    expect(await stepUp(t.db, { token: pending.value.token, code: '999999', now: later })).toMatchObject({
      error: { code: 'invalid_code' },
    })
    expect(await stepUp(t.db, { token: pending.value.token, code: await codeAt(secret, later), now: later })).toMatchObject({
      ok: true,
    })
    expect(isStepUpFresh(await lookup(later + 1), later + 1)).toBe(true)
    const actions = (await t.db.select().from(auditLog)).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['auth.step_up_failed', 'auth.step_up']))
    // Users without a second factor are not stopped (only where none is required).
    expect(isStepUpFresh({ hasTwoFactor: false, twoFactorVerifiedAt: null })).toBe(true)
  })

  it('keeps working after a data-key rotation: TOTP secrets are re-sealed with the personal data', async () => {
    const { id, secret } = await enrol()
    const next = generateDataEncryptionKey('k2')
    try {
      // The new key first, the test key after it (values sealed under it still open until re-sealed).
      const old = dataKeyringFromEnv({ NODE_ENV: 'test' }).keys.map((k) => `${k.id}:${k.secretHex}`)
      const both = parseDataKeyring([next, ...old].join(','))
      useDataKeyring(both)
      await rotateDataKey(t.db, { keyring: both, actor: { id: null, label: 'cli', role: 'cli' } })
      const [row] = await t.db.select().from(users).where(eq(users.id, id))
      expect(row!.totpSecret).toMatch(/^sm4:v1:k2:/)
      // The old key dropped: the secret still opens.
      useDataKeyring(parseDataKeyring(next))
      const pending = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: T0 + STEP })
      if (!pending.ok) throw new Error('sign-in failed')
      expect(
        await verifySecondFactor(t.db, { token: pending.value.token, code: await codeAt(secret, T0 + STEP), now: T0 + STEP }),
      ).toMatchObject({ ok: true })
    } finally {
      useDataKeyring(dataKeyringFromEnv({ NODE_ENV: 'test' }))
    }
  })

  it('re-enrols: a new secret and new recovery codes replace the old ones, audited; a reset removes it', async () => {
    const first = await enrol()
    const { id, actor } = first
    await startTwoFactorEnrolment(t.db, { userId: id, actor })
    // Until confirmed, the factor in use keeps working.
    const second = (await getTwoFactorStatus(t.db, { userId: id })).pending!.secret
    expect(second).not.toBe(first.secret)
    const later = T0 + 10 * STEP
    const confirmed = await confirmTwoFactorEnrolment(t.db, { userId: id, actor, code: await codeAt(second, later), now: later })
    if (!confirmed.ok) throw new Error('re-enrolment failed')
    const pending = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: later + STEP })
    if (!pending.ok) throw new Error('sign-in failed')
    expect(
      await verifySecondFactor(t.db, { token: pending.value.token, code: first.codes[1]!, now: later + STEP }),
    ).toMatchObject({ error: { code: 'invalid_code' } })
    expect(
      await verifySecondFactor(t.db, { token: pending.value.token, code: await codeAt(second, later + STEP), now: later + STEP }),
    ).toMatchObject({ ok: true })
    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.objectId, id))).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['auth.two_factor_enrolled', 'auth.two_factor_re_enrolled']))

    // Someone else cannot enrol for the user; an administrator can reset it (lost phone).
    const other = { id: 'someone-else', label: 'x', role: 'operator' } as const
    expect(await startTwoFactorEnrolment(t.db, { userId: id, actor: other })).toMatchObject({ error: { kind: 'forbidden' } })
    expect(await resetTwoFactor(t.db, { username: 'bureau', actor: { id: null, label: 'cli', role: 'cli' } })).toMatchObject({
      ok: true,
    })
    const after = await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), now: later + 2 * STEP })
    expect(after).toMatchObject({ ok: true, value: { stage: 'active' } })
  })
})
