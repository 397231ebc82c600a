import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, desc, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { sessions, signInThrottles, users } from '#db/schema/index.ts'
import { DEMO_USERS } from '#seed/platform-fixtures.ts'
import { IDLE_TIMEOUT_MS, LOCKOUT_MS, MAX_FAILED_ATTEMPTS, ROLE_HOME } from '#platform/identity/policy.ts'
import { launchBrowser, routePath, signIn } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const user = (role: keyof typeof ROLE_HOME) => DEMO_USERS.find((u) => u.role === role)!

describe('sign-in, roles and sessions in the browser', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  /** A fresh browser context (no cookies) for one test; closed when `fn` ends. */
  async function withPage<T>(fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.newContext()
    try {
      return await fn(await context.newPage(), context)
    } finally {
      await context.close()
    }
  }

  const pathOf = (page: Page) => new URL(page.url()).pathname
  const at = (path: string) => new URL(path, platform.url).href

  it('uses a session cookie the browser keeps (Secure, HttpOnly) on the test URL', async () => {
    await withPage(async (page, context) => {
      await signIn(page, platform.url, 'operator')
      await expectNoSeriousAxeViolations(page)
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'sdp_session')
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' })
    })
  })

  describe.each(DEMO_USERS.map((u) => [u.role, u] as const))('%s', (role, demo) => {
    const home = ROLE_HOME[role]

    it(`signs in as ${demo.username}, lands on ${home}, and is refused the other roles' homes with 403`, async () => {
      await withPage(async (page) => {
        await signIn(page, platform.url, demo.username)
        await expectNoSeriousAxeViolations(page)
        expect(pathOf(page)).toBe(home)
        await page.getByTestId('home-title').waitFor()
        expect(await page.getByTestId('home-title').isVisible()).toBe(true)
        expect(await page.getByTestId('who').textContent()).toContain(demo.displayName)

        for (const other of Object.values(ROLE_HOME).filter((p) => p !== home)) {
          const response = await page.goto(at(other))
          expect(response?.status(), `${demo.username} → ${other}`).toBe(403)
          expect(pathOf(page)).toBe(other)
          expect(await page.getByTestId('home-title').count()).toBe(0)
          expect(await page.locator('[role=alert][data-status="403"]').count()).toBe(1)
        }
        // Still signed in and allowed home after the refusals.
        expect((await page.goto(at(home)))?.status()).toBe(200)
      })
    })
  })

  it('sends an unauthenticated visitor of /operator to the sign-in page', async () => {
    await withPage(async (page) => {
      await page.goto(at('/operator'))
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/login')
      expect(new URL(page.url()).searchParams.get('redirectTo')).toBe('/operator')
      expect(await page.locator('input[name=username]').isVisible()).toBe(true)
    })
  })

  it('signs out: the session ends and /operator sends to the sign-in page again', async () => {
    await withPage(async (page, context) => {
      await signIn(page, platform.url, 'operator')
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/operator')
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/login'),
        page.locator('header form[action="/logout"] button').click(),
      ])
      expect((await context.cookies()).filter((c) => c.name === 'sdp_session' && c.value !== '')).toEqual([])
      await page.goto(at('/operator'))
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/login')
      expect(await page.getByTestId('home-title').count()).toBe(0)
    })
  })

  it('rejects a wrong password with a message and stays on /login', async () => {
    await withPage(async (page) => {
      await signIn(page, platform.url, 'bureau', 'not-the-password')
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/login')
      expect(await page.getByTestId('login-error').textContent()).toBe('用户名或密码错误')
    })
  })

  it('shows Chinese by default and English after the switch, remembered on the next page', async () => {
    await withPage(async (page, context) => {
      await page.goto(at('/'))
      await expectNoSeriousAxeViolations(page)
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
      expect(await page.locator('header .brand').textContent()).toBe('沈阳市公共数据授权运营平台')

      await Promise.all([
        page.waitForResponse((r) => routePath(r.url()) === '/lang' && r.request().method() === 'POST'),
        page.getByTestId('lang-switch').click(),
      ])
      await page.locator('html[lang=en]').waitFor({ state: 'attached' })
      await page.locator('header .brand', { hasText: 'Shenyang Public Data Authorized Operation Platform' }).waitFor()
      expect(pathOf(page)).toBe('/')
      expect((await context.cookies()).find((c) => c.name === 'sdp_lang')).toBeTruthy()

      // A full page load elsewhere: the server reads the remembered choice.
      await page.goto(at('/catalog'))
      await expectNoSeriousAxeViolations(page)
      expect(await page.locator('html').getAttribute('lang')).toBe('en')
      expect(await page.locator('header .brand').textContent()).toBe('Shenyang Public Data Authorized Operation Platform')
      expect(await page.getByTestId('lang-switch').textContent()).toBe('中文')
    })
  })

  it('ends a session idle for more than 30 minutes and says so on the sign-in page', async () => {
    await withPage(async (page) => {
      await signIn(page, platform.url, 'partner.dev')
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/developer')
      const [dev] = await platform.database.db.select().from(users).where(eq(users.username, 'partner.dev'))
      const idleSince = Date.now() - IDLE_TIMEOUT_MS - 60_000
      await platform.database.db.update(sessions).set({ lastSeenAt: idleSince }).where(eq(sessions.userId, dev!.id))

      await page.reload()
      const url = new URL(page.url())
      expect(url.pathname).toBe('/login')
      expect(url.searchParams.get('reason')).toBe('idle')
      expect(await page.locator('main .notice').textContent()).toBe('长时间未操作（30 分钟），已自动退出，请重新登录')
      // This browser's session (the newest) is ended, not merely refused.
      const [newest] = await platform.database.db
        .select()
        .from(sessions)
        .where(eq(sessions.userId, dev!.id))
        .orderBy(desc(sessions.createdAt))
        .limit(1)
      expect(newest!.endedAt).not.toBeNull()

      // The idle session does not come back: the role page still wants a sign-in.
      await page.goto(at('/developer'))
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/login')
      expect(new URL(page.url()).searchParams.get('reason')).toBeNull()
    })
  })

  // Last in the file: it locks `scjg`, whose role-landing test ran above.
  it('locks the account from this address after 5 wrong passwords: the right one is refused there for 15 minutes', async () => {
    await withPage(async (page) => {
      const username = user('source_unit').username
      // The lock is stamped by the server's clock during the 5th attempt: it lies between these two readings of the
      // same clock, however long the attempt takes (the 15-minute boundary itself is tested with an injected clock
      // in test/integration/sign-in.test.ts).
      let fifthSentAt = 0
      let fifthAnsweredAt = 0
      for (let i = 1; i <= MAX_FAILED_ATTEMPTS; i++) {
        if (i === MAX_FAILED_ATTEMPTS) fifthSentAt = Date.now()
        await signIn(page, platform.url, username, `wrong-${i}`)
        await expectNoSeriousAxeViolations(page)
        if (i === MAX_FAILED_ATTEMPTS) fifthAnsweredAt = Date.now()
        expect(pathOf(page)).toBe('/login')
        const text = await page.getByTestId('login-error').textContent()
        if (i < MAX_FAILED_ATTEMPTS) expect(text).toBe('用户名或密码错误')
        else expect(text).toContain('在此网络地址已锁定 15 分钟')
      }

      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/login')
      expect(await page.getByTestId('login-error').textContent()).toMatch(
        /^连续 5 次登录失败，该账号在此网络地址已锁定 15 分钟，请于 .+ 后再试$/,
      )
      expect(await page.getByTestId('home-title').count()).toBe(0)

      // The lock is on (this account, this address): 127.0.0.1, where the browser is.
      const pair = and(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.subject, `127.0.0.1|${username}`))
      const [row] = await platform.database.db.select().from(signInThrottles).where(pair)
      expect(row!.blockedUntil).toBeGreaterThanOrEqual(fifthSentAt + LOCKOUT_MS)
      expect(row!.blockedUntil).toBeLessThanOrEqual(fifthAnsweredAt + LOCKOUT_MS)

      // Once the lock has run out (moved into the past here, as the idle test does with lastSeenAt) the right
      // password signs in again.
      await platform.database.db
        .update(signInThrottles)
        .set({ blockedUntil: Date.now() - 1 })
        .where(pair)
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe(ROLE_HOME.source_unit)
    })
  })
})
