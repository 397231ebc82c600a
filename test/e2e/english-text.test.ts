import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { followNavLink } from '#test/support/nav.ts'
import { DATA_DOMAINS, DELIVERY_MODES, PRODUCT_STATES } from '#db/schema/catalog.ts'

// Issue 16, language (ADR 0046): switched to English, the pages a visitor, the operator and a partner admin open first
// show no Chinese punctuation, no curly quotes, no raw enum values (`finance`, `interface`, `standard`, `pending_review`)
// and no day-first dates.

const CJK_PUNCTUATION = /[，。：；！？（）、“”‘’＇〔〕【】《》「」]/
/** A table cell or badge whose whole text is a stored code: lowercase words as the schema writes them. */
const RAW_VALUES = new Set<string>([
  ...DATA_DOMAINS,
  ...DELIVERY_MODES,
  ...PRODUCT_STATES,
  'standard',
  'trial',
  'industrial',
  'public_interest',
])
const SNAKE_CASE = /^[a-z]+(?:_[a-z]+)+$/
const DAY_FIRST = /\b\d{1,2}\/\d{1,2}\/\d{4}\b/

async function expectEnglishOnly(page: Page): Promise<void> {
  await expectNoSeriousAxeViolations(page)
  // The page's text without the language switch (which reads "中文" on purpose) and without codes shown as code.
  const text = await page.locator('main').evaluate((main) => {
    const copy = main.cloneNode(true) as HTMLElement
    copy.querySelectorAll('code, [lang="zh-CN"], input, textarea, select').forEach((n) => n.remove())
    return copy.innerText
  })
  const at = text.search(CJK_PUNCTUATION)
  expect(at < 0 ? null : text.slice(Math.max(0, at - 60), at + 20), `Chinese punctuation on ${page.url()}`).toBeNull()
  expect(text.match(DAY_FIRST), `day-first date on ${page.url()}`).toBeNull()
  const cells = await page.locator('main td, main .badge, main dd').allInnerTexts()
  const raw = cells.map((c) => c.trim()).filter((c) => RAW_VALUES.has(c) || SNAKE_CASE.test(c))
  expect(raw, `raw enum values on ${page.url()}`).toEqual([])
}

describe('English pages show labels, English punctuation and ISO dates', () => {
  let browser: Browser
  let platform: PlatformHarness
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await platform?.stop()
  })

  it('a visitor, the operator and a partner admin read English throughout', async () => {
    await page.goto(new URL('/catalog', platform.url).href)
    await waitForHydration(page)
    await page.getByTestId('lang-switch').click()
    await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 30_000 }).toBe('en')
    await expectEnglishOnly(page)
    await page.locator('main a[href^="/catalog/"]').first().click()
    await page.waitForURL(/\/catalog\/[^/]+$/)
    await expectEnglishOnly(page)

    await signIn(page, platform.url, 'operator')
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en')
    await expectEnglishOnly(page)
    await followNavLink(page, 'Datasets')
    await page.waitForURL(/\/operator\/datasets$/)
    await expectEnglishOnly(page)

    // A partner admin in a browser of their own, switching after signing in.
    const partner = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const p = await partner.newPage()
      await signIn(p, platform.url, 'partner.admin')
      await waitForHydration(p)
      await p.getByTestId('lang-switch').click()
      await expect.poll(() => p.locator('html').getAttribute('lang'), { timeout: 30_000 }).toBe('en')
      await followNavLink(p, 'Subscriptions')
      await p.waitForURL(/\/partner\/subscriptions$/)
      await expectEnglishOnly(p)
      await followNavLink(p, 'Usage')
      await p.waitForURL(/\/partner\/usage$/)
      await expectEnglishOnly(p)
      await followNavLink(p, 'Invoices')
      await p.waitForURL(/\/partner\/invoices$/)
      await expectEnglishOnly(p)
    } finally {
      await partner.close()
    }
  })
})
