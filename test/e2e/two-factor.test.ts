import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { and, eq, isNull } from 'drizzle-orm'
import { generate } from 'otplib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { auditLog, partners, sessions, users } from '#db/schema/index.ts'
import { STEP_UP_MAX_AGE_MS } from '#platform/identity/policy.ts'
import { TOTP_PERIOD_S } from '#platform/identity/totp.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

/**
 * Outside demo mode (DEMO_MODE=false) the bureau must enrol a TOTP before anything else, signs in with it, steps up
 * before suspending a partner, and can sign in with a recovery code. The tests run in order on one platform.
 */
describe('two-factor authentication in the browser (demo mode off)', () => {
  let browser: Browser
  let platform: PlatformHarness
  let secret = ''
  let recoveryCodes: string[] = []
  /** The last TOTP time step the server accepted: a code is good once, so each use needs a later step. */
  let lastStep = 0

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform({ env: { DEMO_MODE: 'false' } })])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  async function withPage<T>(fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.newContext()
    try {
      return await fn(await context.newPage(), context)
    } finally {
      await context.close()
    }
  }

  const pathOf = (page: Page) => new URL(page.url()).pathname
  // Remix navigates on the client: the URL is what counts, not a load event.
  const COMMIT = { waitUntil: 'commit' } as const
  const at = (path: string) => new URL(path, platform.url).href
  const currentStep = () => Math.floor(Date.now() / 1000 / TOTP_PERIOD_S)

  /**
   * A code from the authenticator for a step the server has not accepted yet: the current one, or the next (the
   * server allows one step of drift). If even the next is used, waits for the clock to move on (a condition, not a
   * fixed sleep).
   */
  async function nextCode(): Promise<string> {
    const step = Math.max(lastStep + 1, currentStep())
    if (step > currentStep() + 1) {
      await vi.waitFor(
        () => {
          if (currentStep() + 1 < step) throw new Error('waiting for the next TOTP time step')
        },
        { timeout: 40_000, interval: 250 },
      )
    }
    lastStep = step
    return generate({ secret, epoch: step * TOTP_PERIOD_S })
  }

  async function submitCode(page: Page, path: string, code: string) {
    await waitForHydration(page)
    await page.locator('main form input[name=code]').fill(code)
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === path),
      page.locator('main form button[type=submit]').click(),
    ])
  }

  it('sends the bureau to enrolment first, and nowhere else until it is done; enrols with the QR code’s secret', async () => {
    await withPage(async (page) => {
      await signIn(page, platform.url, 'bureau')
      await expectNoSeriousAxeViolations(page)
      await page.waitForURL((u) => u.pathname === '/account/two-factor', COMMIT)
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('two-factor-intro').textContent()).toContain('必须启用双因素认证')
      for (const elsewhere of ['/bureau/pricing', '/catalog', '/security/sign-in-locks']) {
        await page.goto(at(elsewhere))
        await expectNoSeriousAxeViolations(page)
        expect(pathOf(page), elsewhere).toBe('/account/two-factor')
      }

      await waitForHydration(page)
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === '/account/two-factor'),
        page.getByTestId('enrol-start').click(),
      ])
      secret = (await page.getByTestId('totp-secret').textContent())!.trim()
      expect(secret).toMatch(/^[A-Z2-7]{32}$/)
      expect(await page.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/)
      expect(await page.getByTestId('totp-qr').evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true)

      await submitCode(page, '/account/two-factor', '000000')
      expect(await page.getByTestId('code-error').textContent()).toBe('验证码错误')
      await submitCode(page, '/account/two-factor', await nextCode())
      const codes = page.getByTestId('recovery-codes').locator('code')
      await codes.first().waitFor()
      recoveryCodes = await codes.allTextContents()
      expect(recoveryCodes).toHaveLength(10)
      for (const c of recoveryCodes) expect(c).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/)

      await Promise.all([page.waitForURL((u) => u.pathname === '/bureau', COMMIT), page.getByTestId('enrol-continue').click()])
      await page.getByTestId('home-title').waitFor()
      const [bureau] = await platform.database.db.select().from(users).where(eq(users.username, 'bureau'))
      expect(bureau!.totpEnabledAt).not.toBeNull()
    })
  })

  it('signs in with the password, then a code; the password alone reaches nothing', async () => {
    await withPage(async (page, context) => {
      await signIn(page, platform.url, 'bureau', undefined, '/login?redirectTo=%2Fbureau%2Fsuspensions')
      await expectNoSeriousAxeViolations(page)
      await page.waitForURL((u) => u.pathname === '/login/two-factor', COMMIT)
      await expectNoSeriousAxeViolations(page)
      expect(new URL(page.url()).searchParams.get('redirectTo')).toBe('/bureau/suspensions')
      const other = await context.newPage()
      await other.goto(at('/bureau'))
      await expectNoSeriousAxeViolations(other)
      expect(pathOf(other)).toBe('/login/two-factor')
      await other.close()

      await submitCode(page, '/login/two-factor', '12345')
      expect(await page.getByTestId('code-error').textContent()).toBe('验证码错误')
      await page.locator('main form input[name=code]').fill(await nextCode())
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/bureau/suspensions', COMMIT),
        page.locator('main form button[type=submit]').click(),
      ])
      await page.getByTestId('suspension-partners').waitFor()
    })
  })

  it('asks for a fresh code before suspending a partner, then the suspension goes through', async () => {
    await withPage(async (page) => {
      await signIn(page, platform.url, 'bureau')
      await expectNoSeriousAxeViolations(page)
      await page.waitForURL((u) => u.pathname === '/login/two-factor', COMMIT)
      await expectNoSeriousAxeViolations(page)
      // Signed in with a recovery code (it spares a TOTP time step; the recovery test below counts it).
      await page.locator('main form input[name=code]').fill(recoveryCodes[0]!)
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/bureau', COMMIT),
        page.locator('main form button[type=submit]').click(),
      ])

      // The code was checked more than 5 minutes ago (moved into the past, as the idle test does with lastSeenAt).
      const [bureau] = await platform.database.db.select().from(users).where(eq(users.username, 'bureau'))
      await platform.database.db
        .update(sessions)
        .set({ twoFactorVerifiedAt: Date.now() - STEP_UP_MAX_AGE_MS - 60_000 })
        .where(and(eq(sessions.userId, bureau!.id), isNull(sessions.endedAt)))

      const suspend = async () => {
        await page.goto(at('/bureau/suspensions'))
        await expectNoSeriousAxeViolations(page)
        await waitForHydration(page)
        const form = page.getByTestId('partner-form-huimin-service')
        await form.locator('input[name=reason]').fill('违反授权运营协议，暂停核查')
        await form.locator('button[type=submit]').click()
      }
      const partnerState = async () =>
        (await platform.database.db.select().from(partners).where(eq(partners.code, 'huimin-service')))[0]!.state

      await suspend()
      await page.waitForURL((u) => u.pathname === '/account/step-up', COMMIT)
      await expectNoSeriousAxeViolations(page)
      expect(new URL(page.url()).searchParams.get('redirectTo')).toBe('/bureau/suspensions')
      expect(await partnerState()).toBe('active')

      await submitCode(page, '/account/step-up', '000000')
      expect(await page.getByTestId('code-error').textContent()).toBe('验证码错误')
      await page.locator('main form input[name=code]').fill(await nextCode())
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/bureau/suspensions', COMMIT),
        page.locator('main form button[type=submit]').click(),
      ])

      await suspend()
      await page.waitForURL((u) => u.searchParams.get('done') === 'suspendPartner:huimin-service', COMMIT)
      await expectNoSeriousAxeViolations(page)
      expect(await partnerState()).toBe('suspended')
      const actions = (await platform.database.db.select().from(auditLog)).map((a) => a.action)
      expect(actions).toEqual(expect.arrayContaining(['auth.step_up_failed', 'auth.step_up', 'partner.suspend']))
    })
  })

  it('signs in with a recovery code instead of a code, once', async () => {
    const code = recoveryCodes[3]!
    await withPage(async (page) => {
      await signIn(page, platform.url, 'bureau')
      await expectNoSeriousAxeViolations(page)
      await page.waitForURL((u) => u.pathname === '/login/two-factor', COMMIT)
      await expectNoSeriousAxeViolations(page)
      await page.locator('main form input[name=code]').fill(code.toUpperCase())
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/bureau', COMMIT),
        page.locator('main form button[type=submit]').click(),
      ])
      await page.goto(at('/account/two-factor'))
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('two-factor-status').textContent()).toContain('剩余未使用的恢复码 8 个')
    })
    await withPage(async (page) => {
      await signIn(page, platform.url, 'bureau')
      await expectNoSeriousAxeViolations(page)
      await page.waitForURL((u) => u.pathname === '/login/two-factor', COMMIT)
      await expectNoSeriousAxeViolations(page)
      await submitCode(page, '/login/two-factor', code)
      expect(await page.getByTestId('code-error').textContent()).toBe('验证码错误')
      expect(pathOf(page)).toBe('/login/two-factor')
    })
  })

  it('lets a partner developer work without a second factor (optional for that role), and enrol from the same page', async () => {
    await withPage(async (page) => {
      await signIn(page, platform.url, 'partner.dev')
      await expectNoSeriousAxeViolations(page)
      expect(pathOf(page)).toBe('/developer')
      await page.getByTestId('account-link').click()
      await page.waitForURL((u) => u.pathname === '/account/password', COMMIT)
      await expectNoSeriousAxeViolations(page)
      await page.getByTestId('account-nav').getByRole('link', { name: '双因素认证' }).click()
      await page.waitForURL((u) => u.pathname === '/account/two-factor', COMMIT)
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('two-factor-intro').textContent()).toContain('启用后')
      expect(await page.getByTestId('enrol-start').isVisible()).toBe(true)
    })
  })
})
