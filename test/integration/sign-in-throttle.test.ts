import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq, gt } from 'drizzle-orm'
import { request } from 'node:http'
import { auditLog, signInThrottles } from '#db/schema/index.ts'
import { runCli } from '#cli/platform.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { liftSignInLocks, listSignInLocks, pruneSignInThrottles } from '#platform/identity/sign-in-locks.ts'
import {
  ACCOUNT_FREE_ATTEMPTS,
  ADDRESS_FREE_ATTEMPTS,
  LOCKOUT_MS,
  MAX_FAILED_ATTEMPTS,
  THROTTLE_BASE_DELAY_MS,
} from '#platform/identity/policy.ts'
import { demoPassword } from '#test/support/demo-credentials.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { csrfTokenIn } from '#test/support/ui-session.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const T0 = Date.UTC(2026, 11, 1, 2, 0, 0)
const bureau = { id: null, label: 'li.shenhe', role: 'bureau' } as const

describe('sign-in throttling per (account, address), per address and per account', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const pairRow = async (username: string, address: string) =>
    (
      await t.db
        .select()
        .from(signInThrottles)
        .where(and(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.subject, `${address}|${username}`)))
    )[0]
  const auditActions = async () => (await t.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action)

  it('counts 20 parallel wrong guesses as 20, locks once, and lets none of them in', async () => {
    const before = (await auditActions()).length
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        signIn(t.db, { username: 'operator', password: `wrong-${i}`, address: '198.51.100.7', now: T0 }),
      ),
    )
    expect(results.filter((r) => r.ok)).toEqual([])
    const row = await pairRow('operator', '198.51.100.7')
    expect(row!.attempts).toBe(20)
    expect(row!.blockedUntil).toBe(T0 + LOCKOUT_MS)
    const actions = (await auditActions()).slice(before)
    expect(actions.filter((a) => a === 'auth.account_locked')).toHaveLength(1)
    // 4 guesses answered as wrong, the rest as locked or delayed: never a 6th checked password (see sign-in-answers).
    expect(results.filter((r) => !r.ok && r.error.code === 'invalid_credentials').length).toBeLessThanOrEqual(
      MAX_FAILED_ATTEMPTS - 1,
    )
    // Still locked for that address, even with the right password.
    expect(
      await signIn(t.db, { username: 'operator', password: demoPassword('operator'), address: '198.51.100.7', now: T0 + 1 }),
    ).toMatchObject({ ok: false, error: { code: 'account_locked' } })
  })

  it('locks the stranger’s address only: the victim signs in from another address meanwhile', async () => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      await signIn(t.db, { username: 'bureau', password: 'guess', address: '127.0.0.2', now: T0 + i })
    }
    expect(
      await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), address: '127.0.0.2', now: T0 + 10 }),
    ).toMatchObject({ ok: false, error: { code: 'account_locked' } })
    const victim = await signIn(t.db, {
      username: 'bureau',
      password: demoPassword('bureau'),
      address: '127.0.0.1',
      now: T0 + 11,
    })
    expect(victim.ok).toBe(true)
  })

  it('delays an address past its free attempts, growing, whatever the usernames; other addresses are not slowed', async () => {
    const address = '203.0.113.66'
    // Spread over many usernames (known and not), so no (account, address) pair locks first.
    for (let i = 0; i < ADDRESS_FREE_ATTEMPTS; i++) {
      const r = await signIn(t.db, { username: `user${i % 10}`, password: 'x', address, now: T0 })
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } })
    }
    // The first attempt past the free ones goes through and sets a 1 s delay; the next one inside it is refused.
    expect(await signIn(t.db, { username: 'user1', password: 'x', address, now: T0 })).toMatchObject({
      error: { code: 'invalid_credentials' },
    })
    const refused = await signIn(t.db, { username: 'user2', password: 'x', address, now: T0 + 10 })
    expect(refused).toMatchObject({ ok: false, error: { code: 'too_many_attempts', fields: { retryAt: String(T0 + 1000) } } })
    // After the delay: allowed, and the next delay is twice as long.
    expect(await signIn(t.db, { username: 'user3', password: 'x', address, now: T0 + 1000 })).toMatchObject({
      error: { code: 'invalid_credentials' },
    })
    expect(await signIn(t.db, { username: 'user4', password: 'x', address, now: T0 + 1001 })).toMatchObject({
      error: { code: 'too_many_attempts', fields: { retryAt: String(T0 + 1000 + 2 * THROTTLE_BASE_DELAY_MS) } },
    })
    // Another address is not slowed, and signs in.
    expect(
      (await signIn(t.db, { username: 'scjg', password: demoPassword('scjg'), address: '203.0.113.67', now: T0 + 1002 })).ok,
    ).toBe(true)
    expect(await auditActions()).toContain('auth.sign_in_throttled')
  })

  it('slows guessing one account from many addresses, but not from an address it signed in from before', async () => {
    // bureau signed in from the office once.
    expect(
      (await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), address: '192.0.2.10', now: T0 })).ok,
    ).toBe(true)
    // A botnet: one guess from each of many addresses, never enough for a pair lock or an address delay.
    for (let i = 0; i <= ACCOUNT_FREE_ATTEMPTS; i++) {
      await signIn(t.db, { username: 'bureau', password: 'guess', address: `198.18.0.${i + 1}`, now: T0 + 1 })
    }
    const fromNewAddress = await signIn(t.db, { username: 'bureau', password: 'guess', address: '198.18.1.1', now: T0 + 2 })
    expect(fromNewAddress).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } })
    // The account's delay is short and capped (it can touch a victim on a new address), and the office is exempt.
    expect(
      (await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), address: '192.0.2.10', now: T0 + 3 })).ok,
    ).toBe(true)
  })

  it('answers a known and an unknown username alike, locks included', async () => {
    const answers = async (username: string, address: string) => {
      const out: unknown[] = []
      for (let i = 0; i <= MAX_FAILED_ATTEMPTS; i++) {
        const r = await signIn(t.db, { username, password: 'Wrong-Password-1', address, now: T0 + i })
        out.push(r.ok ? 'ok' : { kind: r.error.kind, code: r.error.code, message: r.error.message, fields: r.error.fields })
      }
      return out
    }
    expect(await answers('nobody-here', '198.51.100.20')).toEqual(await answers('operator', '198.51.100.21'))
  })

  it('lists locks for the bureau and the operator, lifts them with an audit entry, and refuses other roles', async () => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      await signIn(t.db, { username: 'partner.admin', password: 'guess', address: '198.51.100.30', now: T0 })
    }
    const listed = await listSignInLocks(t.db, { actor: bureau, now: T0 + 1 })
    expect(listed).toMatchObject({
      ok: true,
      value: [{ scope: 'account_address', username: 'partner.admin', address: '198.51.100.30', attempts: 5 }],
    })
    const partner = { id: null, label: 'partner.admin', role: 'partner_admin' } as const
    expect(await listSignInLocks(t.db, { actor: partner })).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    expect(await liftSignInLocks(t.db, { select: { username: 'partner.admin' }, actor: partner })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    })

    expect(await liftSignInLocks(t.db, { select: { username: 'partner.admin' }, actor: bureau, now: T0 + 2 })).toEqual({
      ok: true,
      value: { lifted: 1 },
    })
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'auth.sign_in_lock_lifted'))
    expect(entry).toMatchObject({
      actorLabel: 'li.shenhe',
      role: 'bureau',
      objectId: 'account_address:198.51.100.30|partner.admin',
    })
    expect(
      await t.db
        .select()
        .from(signInThrottles)
        .where(gt(signInThrottles.blockedUntil, T0 + 2)),
    ).toEqual([])
    expect(
      (
        await signIn(t.db, {
          username: 'partner.admin',
          password: demoPassword('partner.admin'),
          address: '198.51.100.30',
          now: T0 + 3,
        })
      ).ok,
    ).toBe(true)
  })

  it('forgets counts idle for a day, but keeps locks in force and familiar addresses', async () => {
    await signIn(t.db, { username: 'bureau', password: 'guess', address: '198.51.100.50', now: T0 })
    await signIn(t.db, { username: 'bureau', password: demoPassword('bureau'), address: '192.0.2.20', now: T0 })
    expect((await pruneSignInThrottles(t.db, { now: T0 + 3_600_000 })).deleted).toBe(0)
    await pruneSignInThrottles(t.db, { now: T0 + 2 * 86_400_000 })
    const left = await t.db.select().from(signInThrottles)
    expect(left.map((r) => `${r.scope} ${r.subject}`)).toEqual(['account_address 192.0.2.20|bureau'])
  })

  it('lists and lifts locks from the CLI, audited as cli', async () => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      await signIn(t.db, { username: 'scjg', password: 'guess', address: '198.51.100.40' })
    }
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => out.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n') }
    }
    const listed = await run('sign-in-locks:list', '--json')
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.out)).toMatchObject([{ scope: 'account_address', username: 'scjg', address: '198.51.100.40' }])
    expect(await run('sign-in-locks:lift', '--address', '198.51.100.40')).toMatchObject({ code: 0 })
    expect((await run('sign-in-locks:list')).out).toBe('No sign-in lock or delay in force.')
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'auth.sign_in_lock_lifted'))
    expect(entry).toMatchObject({ role: 'cli' })
  })
})

/** Plain node:http from a chosen loopback address, so the server sees that client address. */
function httpFrom(
  localAddress: string,
  url: string,
  opts: { method?: string; body?: string; cookie?: string; origin?: string } = {},
): Promise<{ status: number; body: string; setCookies: string[]; location: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        localAddress,
        headers: {
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...(opts.body !== undefined
            ? { 'content-type': 'application/x-www-form-urlencoded', origin: opts.origin ?? '', 'sec-fetch-site': 'same-origin' }
            : {}),
        },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            setCookies: res.headers['set-cookie'] ?? [],
            location: (res.headers.location as string | undefined) ?? null,
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

describe('sign-in over HTTP from two loopback addresses', () => {
  let platform: PlatformHarness
  beforeEach(async () => {
    platform = await startPlatform()
  })
  afterEach(() => platform.stop())

  async function signInFrom(localAddress: string, username: string, password: string) {
    const page = await httpFrom(localAddress, `${platform.url}/login`)
    const cookie = page.setCookies.map((c) => c.split(';')[0]).join('; ')
    const token = csrfTokenIn(page.body)!
    const body = new URLSearchParams({ username, password, _csrf: token }).toString()
    return httpFrom(localAddress, `${platform.url}/login`, { method: 'POST', body, cookie, origin: platform.url })
  }

  it('a stranger guessing from 127.0.0.2 locks only 127.0.0.2; the victim signs in from 127.0.0.1', async () => {
    for (let i = 1; i <= MAX_FAILED_ATTEMPTS; i++) {
      const guess = await signInFrom('127.0.0.2', 'operator', `guess-${i}`)
      expect(guess.status).toBe(i < MAX_FAILED_ATTEMPTS ? 401 : 423)
    }
    expect((await signInFrom('127.0.0.2', 'operator', demoPassword('operator'))).status).toBe(423)
    const victim = await signInFrom('127.0.0.1', 'operator', demoPassword('operator'))
    expect(victim.status).toBe(302)
    expect(victim.location).toBe('/operator')
    // The server saw the real client addresses (not a header): the lock is on 127.0.0.2.
    const rows = await platform.database.db.select().from(signInThrottles).where(gt(signInThrottles.blockedUntil, Date.now()))
    expect(rows.map((r) => `${r.scope} ${r.subject}`)).toEqual(['account_address 127.0.0.2|operator'])
  })
})
