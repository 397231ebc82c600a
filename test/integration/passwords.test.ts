import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq, isNull } from 'drizzle-orm'
import { auditLog, sessions, users, type Role } from '#db/schema/index.ts'
import { runCli } from '#cli/platform.ts'
import { changePassword } from '#platform/identity/change-password.ts'
import { getSessionUser } from '#platform/identity/get-session-user.ts'
import { DEFAULT_AUTH_POLICY } from '#platform/identity/policy.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { demoPassword } from '#test/support/demo-credentials.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { openUiSession, postForm, refreshCsrfToken, type UiSession } from '#test/support/ui-session.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const NEW_PASSWORD = 'Hunhe-River-Lantern-77'
const DAY = 86_400_000

describe('changing passwords, initial passwords and the maximum age', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function userOf(username: string) {
    const [row] = await t.db.select().from(users).where(eq(users.username, username))
    return row!
  }
  const actorOf = (u: { id: string; username: string; role: Role }) => ({ id: u.id, label: u.username, role: u.role }) as const

  it('changes a password: the current one is checked, the rules apply, other sessions end, and it is audited', async () => {
    const dev = await userOf('partner.dev')
    const here = await signIn(t.db, { username: 'partner.dev', password: demoPassword('partner.dev') })
    const elsewhere = await signIn(t.db, { username: 'partner.dev', password: demoPassword('partner.dev') })
    if (!here.ok || !elsewhere.ok) throw new Error('sign-in failed')
    const change = (currentPassword: string, newPassword: string) =>
      changePassword(t.db, { userId: dev.id, currentPassword, newPassword, actor: actorOf(dev), sessionToken: here.value.token })

    expect(await change('wrong-current', NEW_PASSWORD)).toMatchObject({
      ok: false,
      error: { fields: { currentPassword: 'wrong_password' } },
    })
    expect(await change(demoPassword('partner.dev'), 'Password@2026')).toMatchObject({
      error: { fields: { newPassword: 'password_common' } },
    })
    expect(await change(demoPassword('partner.dev'), 'short1A!')).toMatchObject({
      error: { fields: { newPassword: 'password_too_short' } },
    })
    expect(await change(demoPassword('partner.dev'), 'Partner.Dev-Spring-9')).toMatchObject({
      error: { fields: { newPassword: 'password_contains_username' } },
    })
    expect((await change(demoPassword('partner.dev'), NEW_PASSWORD)).ok).toBe(true)

    expect((await signIn(t.db, { username: 'partner.dev', password: demoPassword('partner.dev') })).ok).toBe(false)
    expect((await signIn(t.db, { username: 'partner.dev', password: NEW_PASSWORD })).ok).toBe(true)
    expect((await getSessionUser(t.db, { token: here.value.token })).state).toBe('active')
    expect((await getSessionUser(t.db, { token: elsewhere.value.token })).state).toBe('none')
    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.objectId, dev.id))).map((a) => a.action)
    expect(actions).toContain('auth.password_changed')
    expect(actions).toContain('auth.password_change_failed')
    expect(JSON.stringify(await t.db.select().from(auditLog))).not.toContain(NEW_PASSWORD)
  })

  it('a user created with an initial password (CLI) must change it at the first sign-in', async () => {
    const out: string[] = []
    const code = await runCli(
      ['users:create', '--username', 'wang.yun', '--name', '运营单位 王云', '--role', 'operator', '--json'],
      { out: (l) => out.push(l), err: (l) => out.push(l) },
      { DATABASE_URL: `file:${t.path}` },
    )
    expect(code).toBe(0)
    const { initialPassword } = JSON.parse(out.join('\n')) as { initialPassword: string }
    const signedIn = await signIn(t.db, { username: 'wang.yun', password: initialPassword })
    if (!signedIn.ok) throw new Error('sign-in failed')
    const policy = { ...DEFAULT_AUTH_POLICY, demoMode: true }
    expect(await getSessionUser(t.db, { token: signedIn.value.token, policy })).toMatchObject({
      state: 'active',
      user: { restriction: 'initial_password' },
    })
    const user = await userOf('wang.yun')
    expect(
      (
        await changePassword(t.db, {
          userId: user.id,
          currentPassword: initialPassword,
          newPassword: NEW_PASSWORD,
          actor: actorOf(user),
          sessionToken: signedIn.value.token,
        })
      ).ok,
    ).toBe(true)
    expect(await getSessionUser(t.db, { token: signedIn.value.token, policy })).toMatchObject({ user: { restriction: null } })
    // Outside demo mode an operator must also enrol a second factor next.
    expect(await getSessionUser(t.db, { token: signedIn.value.token })).toMatchObject({
      user: { restriction: 'enrol_two_factor' },
    })
  })

  it('demands a change once the password is older than the maximum age (PASSWORD_MAX_AGE_DAYS)', async () => {
    const now = Date.now()
    const scjg = await userOf('scjg')
    await t.db
      .update(users)
      .set({ passwordChangedAt: now - 91 * DAY })
      .where(eq(users.id, scjg.id))
    const signedIn = await signIn(t.db, { username: 'scjg', password: demoPassword('scjg'), now })
    if (!signedIn.ok) throw new Error('sign-in failed')
    const lookup = (passwordMaxAgeDays: number) =>
      getSessionUser(t.db, { token: signedIn.value.token, now, policy: { demoMode: true, passwordMaxAgeDays } })
    expect(await lookup(90)).toMatchObject({ user: { restriction: 'password_expired' } })
    expect(await lookup(365)).toMatchObject({ user: { restriction: null } })
  })
})

describe('restricted sessions over HTTP', () => {
  let platform: PlatformHarness
  beforeEach(async () => {
    platform = await startPlatform()
  })
  afterEach(() => platform.stop())

  it('an expired password leads to the change page and nothing else until it is changed', async () => {
    const { db } = platform.database
    await db
      .update(users)
      .set({ passwordChangedAt: Date.now() - 200 * DAY })
      .where(eq(users.username, 'partner.admin'))
    // Signed in: the answer names the role's home, which then sends to the change page.
    const anonymous = await openUiSession(platform.url)
    const login = await postForm(platform.url, anonymous, '/login', {
      username: 'partner.admin',
      password: demoPassword('partner.admin'),
    })
    expect([login.status, login.headers.get('location')]).toEqual([302, '/partner'])
    const sessionCookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('sdp_session='))!
      .split(';')[0]!
    const session: UiSession = { cookie: `${anonymous.cookie}; ${sessionCookie}`, csrfToken: '' }
    for (const path of ['/partner', '/partner/usage', '/catalog', '/account/two-factor']) {
      const res = await fetch(`${platform.url}${path}`, { headers: { cookie: session.cookie }, redirect: 'manual' })
      await res.arrayBuffer()
      expect([res.status, res.headers.get('location')], path).toEqual([302, '/account/password'])
    }
    const page = await fetch(`${platform.url}/account/password`, { headers: { cookie: session.cookie } })
    expect(await page.text()).toContain('data-testid="password-required"')

    const fresh = await refreshCsrfToken(platform.url, session, '/account/password')
    const wrongAgain = await postForm(platform.url, fresh, '/account/password', {
      currentPassword: demoPassword('partner.admin'),
      newPassword: NEW_PASSWORD,
      newPasswordAgain: 'something-else',
    })
    expect(wrongAgain.status).toBe(400)
    // The error sits next to its field, in the page's language (zh by default).
    expect(await wrongAgain.text()).toMatch(/data-testid="newPasswordAgain-error"[^>]*>两次输入的新密码不一致</)
    const changed = await postForm(platform.url, fresh, '/account/password', {
      currentPassword: demoPassword('partner.admin'),
      newPassword: NEW_PASSWORD,
      newPasswordAgain: NEW_PASSWORD,
    })
    expect([changed.status, changed.headers.get('location')]).toEqual([302, '/partner'])
    const home = await fetch(`${platform.url}/partner`, { headers: { cookie: session.cookie }, redirect: 'manual' })
    expect(home.status).toBe(200)
    const [row] = await db
      .select()
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(users.username, 'partner.admin'), isNull(sessions.endedAt)))
    expect(row).toBeTruthy()
  })
})
