import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { products } from '#db/schema/index.ts'
import { eq } from 'drizzle-orm'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

// Issue 16 / ADR 0048: money as people read it. Each check here failed before: "50,000 分", "¥0.025" without its unit,
// prices typed in 分, raw plan codes, and a ceiling below an approved price accepted silently.
const PRODUCT = 'verify-enterprise-identity'

/** Every problem of the money on a page: a figure in 分/fen, or a ¥ amount without at least two decimals. */
async function moneyProblems(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText()
  const problems: string[] = []
  for (const m of text.matchAll(/\d[\d,.]*\s*(分(?![钟类级析配摊页别项享])|fen\b)/g)) problems.push(`in fen: ${m[0]}`)
  for (const m of text.matchAll(/¥-?[\d,]+(\.\d+)?/g)) if (!/\.\d{2,}$/.test(m[0])) problems.push(`not two decimals: ${m[0]}`)
  return problems
}

describe('money on the pages', () => {
  let browser: Browser
  let platform: PlatformHarness
  let productId: string

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    await seedBillingDemo(platform.database.db)
    const [product] = await platform.database.db.select({ id: products.id }).from(products).where(eq(products.code, PRODUCT))
    productId = product!.id
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  async function asUser(username: string | null, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      if (username) await signIn(page, platform.url, username)
      await fn(page)
    } finally {
      await context.close()
    }
  }
  async function visit(page: Page, path: string) {
    expect((await page.goto(at(path)))?.status()).toBe(200)
    await expectNoSeriousAxeViolations(page)
    expect(await moneyProblems(page), path).toEqual([])
  }

  it('shows ¥ with two decimals and unit prices per unit on every money page, and plans by name', async () => {
    await asUser(null, async (page) => {
      await visit(page, '/fees')
      await expect
        .poll(() => page.getByTestId(`fee-${PRODUCT}-call`).getByTestId('fee-price').textContent())
        .toContain('¥0.025/次')
    })
    await asUser('operator', async (page) => {
      for (const path of ['/operator/pricing', '/operator/invoices', '/operator/revenue']) await visit(page, path)
      // One unit per page: the proposal and the cost forms are both in 元.
      const labels = await page.goto(at('/operator/pricing')).then(() => page.locator('main form label').allInnerTexts())
      expect(labels.join(' ')).not.toMatch(/分\/|（分/)
    })
    await asUser('bureau', async (page) => {
      for (const path of ['/bureau/pricing', '/bureau/compensation']) await visit(page, path)
    })
    await asUser('partner.admin', async (page) => {
      await visit(page, '/partner/invoices')
      const invoice = page.locator('main a[href^="/partner/invoices/"]').first()
      if ((await invoice.count()) > 0) {
        await invoice.click()
        await page.waitForURL(/\/partner\/invoices\/[^/]+$/)
        await expectNoSeriousAxeViolations(page)
        expect(await moneyProblems(page)).toEqual([])
      }
      await visit(page, '/partner/subscriptions')
      const cells = await page.locator('main table td').allInnerTexts()
      expect(cells.filter((c) => /^(standard|trial)\b/.test(c.trim()))).toEqual([])
    })
  })

  it('warns when a ceiling is set below an approved price, and /fees shows the coming change', async () => {
    const from = formatDay(nextPeriod(nextPeriod(periodOf(Date.now()))).start)
    await asUser('bureau', async (page) => {
      await page.goto(at('/bureau/pricing'))
      await waitForHydration(page)
      const form = page.getByTestId('ceiling-form')
      await form.locator('select[name=productId]').selectOption(productId)
      await form.locator('select[name=chargeUnit]').selectOption('call')
      await form.locator('input[name=effectiveFrom]').fill(from)
      // A fraction of a hundredth of a fen is refused beside the field.
      await form.locator('input[name=maxUnitPrice]').fill('0.00001')
      await form.locator('button[type=submit].primary').click()
      await expect.poll(() => page.getByTestId('max-price-error').textContent()).toContain('小数')

      // ¥0.02 per call is below the approved ¥0.025: listed, not saved until confirmed.
      await form.locator('input[name=maxUnitPrice]').fill('0.02')
      await form.locator('button[type=submit].primary').click()
      const warning = page.getByTestId('ceiling-warning')
      await warning.waitFor()
      await expectNoSeriousAxeViolations(page)
      expect(await warning.getByTestId('ceiling-affected').first().textContent()).toContain('¥0.025/次')
      expect(await warning.textContent()).toContain('¥0.02/次')
      await warning.getByTestId('confirm-ceiling').click()
      await page.waitForURL((url) => url.searchParams.get('ceiling') === 'set' && url.searchParams.get('flagged') === '1')
      await expectNoSeriousAxeViolations(page)
    })
    await asUser('operator', async (page) => {
      await page.goto(at('/operator/pricing'))
      await expect.poll(() => page.getByTestId('reapproval-due').first().textContent()).toContain('¥0.02/次')
    })
    await asUser(null, async (page) => {
      await visit(page, '/fees')
      const coming = page.getByTestId(`fee-${PRODUCT}-call`).getByTestId('fee-coming')
      await expect.poll(() => coming.textContent()).toContain(`自 ${from} 起`)
      expect(await coming.textContent()).toContain('¥0.02/次')
    })
  })
})
