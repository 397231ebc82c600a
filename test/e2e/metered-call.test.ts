import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Browser, Page } from 'playwright-core'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import { demoApiKey } from '#test/support/demo-credentials.ts'
import { launchBrowser, signIn } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const screenshotPath = join(process.cwd(), 'test', '.tmp', 'partner-usage.png')

describe('a metered API call shows up on the usage pages', () => {
  let browser: Browser
  let platform: PlatformHarness
  let requestId: string

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  /** Signs `username` in on a fresh context, opens `path`, hands the page to `fn`. */
  async function asUser(username: string, path: string, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      const response = await page.goto(new URL(path, platform.url).href)
      expect(response?.status(), `${username} ${path}`).toBe(200)
      await fn(page)
    } finally {
      await context.close()
    }
  }

  /** The usage total (digits only: the figure is locale-formatted) and the request ids listed as recent. */
  async function readUsage(page: Page) {
    const total = Number((await page.getByTestId('usage-total').textContent())!.replace(/\D/g, ''))
    const ids = await page.getByTestId('recent-calls').locator('tbody tr td code').allTextContents()
    return { total, ids }
  }

  it('answers a registered enterprise with {match: true} through the gateway', async () => {
    const [enterprise] = await platform.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    expect(enterprise).toBeDefined()

    const res = await fetch(new URL('/api/v1/verifications/enterprise', platform.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uscc: enterprise!.uscc, name: enterprise!.name }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ match: true })
    requestId = res.headers.get('x-request-id')!
    expect(requestId).toMatch(/^req_[0-9a-f]{32}$/)

    const [event] = await platform.database.db.select().from(usageEvents).where(eq(usageEvents.requestId, requestId))
    expect(event).toMatchObject({ status: 200, calls: 1 })
  })

  it('shows the call to the partner admin on /partner/usage (screenshot in Chinese)', async () => {
    expect(requestId).toBeDefined()
    await asUser('partner.admin', '/partner/usage', async (page) => {
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
      const { total, ids } = await readUsage(page)
      expect(total).toBeGreaterThanOrEqual(1)
      expect(ids).toContain(requestId)
      // Wait until every face the page uses has loaded before the picture.
      await page.evaluate(() => document.fonts.ready.then(() => undefined))
      // The Chinese is drawn by the visitor's own CJK font first, else the self-hosted Noto Sans SC (ADR 0041);
      // responsive-shell.test.ts and the first-visit bench look at which one.
      expect(await page.evaluate(() => document.fonts.status)).toBe('loaded')
      mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true })
      await page.screenshot({ path: screenshotPath, fullPage: true })
    })
  })

  it('shows the call to the partner developer on /developer/usage', async () => {
    expect(requestId).toBeDefined()
    await asUser('partner.dev', '/developer/usage', async (page) => {
      const { total, ids } = await readUsage(page)
      expect(total).toBeGreaterThanOrEqual(1)
      expect(ids).toContain(requestId)
    })
  })

  it('shows the call to the operator on /operator/usage', async () => {
    expect(requestId).toBeDefined()
    await asUser('operator', '/operator/usage', async (page) => {
      const { total, ids } = await readUsage(page)
      expect(total).toBeGreaterThanOrEqual(1)
      expect(ids).toContain(requestId)
    })
  })
})
