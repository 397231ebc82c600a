import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Browser, Page } from 'playwright-core'
import { cityEnterprises, partners, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { demoApiKey } from '#test/support/demo-credentials.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const PRODUCT = 'verify-enterprise-identity'

/** "¥1,234.56" → 123456 */
const fenOf = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''))

describe('pricing and invoices in the browser', () => {
  let browser: Browser
  let platform: PlatformHarness
  let productId: string

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    // Idempotent: a base database that already has the billing demo is left as it is.
    await seedBillingDemo(platform.database.db)
    const [product] = await platform.database.db.select({ id: products.id }).from(products).where(eq(products.code, PRODUCT))
    productId = product!.id
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  async function asUser<T>(username: string, fn: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      return await fn(page)
    } finally {
      await context.close()
    }
  }
  const at = (path: string) => new URL(path, platform.url).href

  async function calls(n: number) {
    const [enterprise] = await platform.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .limit(1)
    for (let i = 0; i < n; i++) {
      const res = await fetch(at('/api/v1/verifications/enterprise'), {
        method: 'POST',
        headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(enterprise),
      })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
  }

  async function openEstimate(): Promise<number> {
    return asUser('operator', async (page) => {
      expect((await page.goto(at('/operator/invoices')))?.status()).toBe(200)
      return fenOf(await page.getByTestId('estimate-subtotal').textContent())
    })
  }

  it('refuses a proposal above the ceiling beside the field; the bureau approves another and the operator sees revenue move', async () => {
    // The operator proposes 9 fen per call: above the 5-fen ceiling, refused next to the price field.
    const version = await asUser('operator', async (page) => {
      await page.goto(at('/operator/pricing'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('proposal-form')
      await form.locator('select[name=productId]').selectOption(productId)
      await form.locator('input[name=unitPrice]').fill('0.09')
      await form.getByTestId('propose').click()
      const error = form.getByTestId('price-error')
      await error.waitFor()
      expect(await error.textContent()).toContain('¥0.05/次')
      expect(await error.textContent()).toContain('上限')

      // 4 fen per call, effective today: accepted, pending review.
      await form.locator('input[name=unitPrice]').fill('0.04')
      await form.getByTestId('propose').click()
      await page.waitForURL((url) => url.searchParams.has('proposed'))
      await expectNoSeriousAxeViolations(page)
      const proposed = Number(new URL(page.url()).searchParams.get('proposed'))
      expect(await page.getByTestId(`book-${PRODUCT}-v${proposed}`).getByTestId('book-state').textContent()).toBe('待审核')
      return proposed
    })

    // While it is pending, calls are rated at the approved price in force (v1, 2.5 fen): 10 × 2.5 = 25 fen.
    const before = await openEstimate()
    await calls(10)
    const pendingDelta = (await openEstimate()) - before
    expect(pendingDelta).toBe(25)

    // The bureau sees the proposal beside its ceiling and cost basis, and approves it.
    await asUser('bureau', async (page) => {
      await page.goto(at('/bureau/pricing'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const panel = page.getByTestId(`proposal-${PRODUCT}-v${version}`)
      expect(await panel.getByTestId('proposal-ceiling').textContent()).toContain('¥0.05/次')
      expect(await panel.getByTestId('cost-basis').count()).toBe(1)
      await panel.getByTestId('approve').click()
      await page.waitForURL((url) => url.searchParams.get('decided') === 'approve')
      await expectNoSeriousAxeViolations(page)
    })

    // Calls after the approval are rated at 4 fen: 10 × 4 = 40 fen more.
    const approved = await openEstimate()
    await calls(10)
    expect((await openEstimate()) - approved).toBe(40)

    // The public fee disclosure shows the new price beside the ceiling.
    const page = await browser.newPage()
    try {
      await page.goto(at('/fees'))
      await expectNoSeriousAxeViolations(page)
      const row = page.getByTestId(`fee-${PRODUCT}-call`)
      expect(await row.getByTestId('fee-ceiling').textContent()).toContain('¥0.05/次')
      expect(await row.getByTestId('fee-price').textContent()).toContain('¥0.04/次')
    } finally {
      await page.close()
    }
  })

  it('closes last month with progress, finalizes the invoice, and the partner downloads it as PDF and CSV', async () => {
    const db = platform.database.db
    const [sub] = await db
      .select({ id: subscriptions.id, partnerId: subscriptions.partnerId, purpose: subscriptions.purpose })
      .from(subscriptions)
      .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
      .where(and(eq(partners.code, 'shengjing-tech'), eq(subscriptions.productId, productId)))
    const last = previousPeriod(periodOf(Date.now()))
    // Seven calls last month (as the gateway records them), at the demo price of 2.5 fen: 17.5 → 18 fen, VAT 1, total 19.
    await db.insert(usageEvents).values(
      Array.from({ length: 7 }, (_, i) => ({
        id: randomUUID(),
        at: last.start + 3_600_000 * (i + 1),
        requestId: `req_e2e_${i}`,
        apiKeyId: 'e2e',
        subscriptionId: sub!.id,
        partnerId: sub!.partnerId,
        productId,
        purpose: sub!.purpose,
        operation: 'verifyEnterprise',
        status: 200,
      })),
    )

    const number = await asUser('operator', async (page) => {
      await page.goto(at('/operator/invoices'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('close-form')
      expect(await form.locator('input[name=period]').inputValue()).toBe(last.period)
      page.once('dialog', (dialog) => void dialog.accept())
      await form.getByTestId('close-submit').click()
      await page.waitForURL((url) => url.searchParams.get('closing') === last.period)
      await expectNoSeriousAxeViolations(page)
      await page.locator('[data-testid=close-progress][data-state=done]').waitFor()
      const row = page.getByTestId(`invoice-shengjing-tech-${last.period}`)
      expect(fenOf(await row.getByTestId('row-total').textContent())).toBe(19)
      await row.locator('a').first().click()
      await page.getByTestId('invoice-title').waitFor()
      expect(fenOf(await page.getByTestId('invoice-subtotal').textContent())).toBe(18)
      await waitForHydration(page)
      await page.getByTestId('finalize').click()
      await page.waitForURL((url) => url.searchParams.get('done') === 'finalize')
      await expectNoSeriousAxeViolations(page)
      // The URL can change a moment before the revalidated title renders: wait for the number itself.
      await page
        .getByTestId('invoice-title')
        .filter({ hasText: /SYGD-\d{4}-\d{6}/ })
        .waitFor()
      const title = await page.getByTestId('invoice-title').textContent()
      return /SYGD-\d{4}-\d{6}/.exec(title ?? '')?.[0]
    })
    expect(number).toMatch(/^SYGD-\d{4}-\d{6}$/)

    await asUser('partner.admin', async (page) => {
      expect((await page.goto(at('/partner/invoices')))?.status()).toBe(200)
      // This period's usage (the 20 calls of the first test) with its estimate.
      expect(await page.getByTestId('partner-estimate').getByTestId('invoice-line').count()).toBeGreaterThan(0)
      const row = page.getByTestId(`invoice-shengjing-tech-${last.period}`)
      expect(await row.locator('a').first().textContent()).toBe(number)
      const pdfHref = await row.locator('a', { hasText: 'PDF' }).getAttribute('href')
      const pdf = await page.request.get(at(pdfHref!))
      expect(pdf.status()).toBe(200)
      expect(pdf.headers()['content-type']).toBe('application/pdf')
      const body = await pdf.body()
      expect(body.subarray(0, 5).toString()).toBe('%PDF-')
      const csv = await page.request.get(at(pdfHref!.replace(/pdf$/, 'csv')))
      const text = (await csv.body()).toString('utf8')
      expect(text.charCodeAt(0)).toBe(0xfeff)
      expect(text).toContain(number!)
      // Another partner's or a made-up invoice is not found.
      expect((await page.request.get(at('/partner/invoices/no-such-invoice/pdf'))).status()).toBe(404)
    })
  })
})
