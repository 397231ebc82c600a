import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Browser, Page } from 'playwright-core'
import { randomUUID } from 'node:crypto'
import { cityEnterprises, datasets, products, usageEvents, users } from '#db/schema/index.ts'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { demoApiKey } from '#test/support/demo-credentials.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const PRODUCT = 'verify-enterprise-identity'
/** "¥1,234.56" → 123456 */
const fenOf = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''))

describe('revenue dashboard in the browser', () => {
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

  /** What the dashboard shows for the product, the current month and the total, in fen. */
  async function dashboard() {
    return asUser('operator', async (page) => {
      expect((await page.goto(at('/operator/revenue')))?.status()).toBe(200)
      const month = page.getByTestId(`revenue-month-${periodOf(Date.now()).period}`)
      const product = page.getByTestId(`revenue-product-${PRODUCT}`)
      expect(await page.getByTestId('revenue-month-chart').count()).toBe(1)
      return {
        total: fenOf(await page.getByTestId('revenue-charged').textContent()),
        month: fenOf(await month.getByTestId('charged').textContent()),
        product: (await product.count()) ? fenOf(await product.getByTestId('charged').textContent()) : 0,
        serverTime: await page.getByTestId('revenue-server-time').textContent(),
      }
    })
  }

  it('the bureau approves a pending proposal and the operator sees revenue move at the new price', async () => {
    // The operator's proposal of 4 fen per call (ceiling 5), pending review.
    const proposed = await proposePriceBook(platform.database.db, {
      input: {
        productId,
        effectiveFrom: Date.now() - 60_000,
        charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '4' } }],
      },
      actor: { id: null, label: 'e2e-operator', role: 'operator' },
    })
    expect(proposed.ok).toBe(true)
    const version = proposed.ok ? proposed.value.version : 0

    // While it is pending, 10 calls are rated at the approved demo price (2.5 fen): +25 fen.
    const start = await dashboard()
    await calls(10)
    const pending = await dashboard()
    expect(pending.product - start.product).toBe(25)
    expect(pending.month - start.month).toBe(25)
    expect(pending.total - start.total).toBe(25)

    await asUser('bureau', async (page) => {
      await page.goto(at('/bureau/pricing'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      await page.getByTestId(`proposal-${PRODUCT}-v${version}`).getByTestId('approve').click()
      await page.waitForURL((url) => url.searchParams.get('decided') === 'approve')
      await expectNoSeriousAxeViolations(page)
    })

    // After the approval, 10 calls at 4 fen: +40 fen on the dashboard.
    await calls(10)
    const approved = await dashboard()
    expect(approved.product - pending.product).toBe(40)
    expect(approved.month - pending.month).toBe(40)
    expect(approved.total - pending.total).toBe(40)
    expect(approved.serverTime).toMatch(/\d+ ms/)
  })

  it("compensation: the bureau sets the formula, the operator makes last month's statements, the source unit sees its own", async () => {
    const db = platform.database.db
    const last = previousPeriod(periodOf(Date.now()))
    const [scjg] = await db.select({ unit: users.sourceUnitId }).from(users).where(eq(users.username, 'scjg'))
    const [dataset] = await db
      .select({ code: datasets.code })
      .from(datasets)
      .where(eq(datasets.sourceUnitId, scjg!.unit!))
      .limit(1)
    await db.insert(usageEvents).values(
      Array.from({ length: 40 }, (_, i) => ({
        id: randomUUID(),
        at: last.start + 3_600_000 * (i + 1),
        requestId: `req_e2e_comp_${i}`,
        apiKeyId: 'e2e',
        subscriptionId: 'e2e-comp',
        partnerId: 'e2e-comp',
        productId: productId,
        purpose: 'industrial' as const,
        operation: 'verifyEnterprise',
        status: 200,
        datasetCodes: dataset!.code,
        sourceUnitCodes: 'x',
      })),
    )

    await asUser('bureau', async (page) => {
      await page.goto(at('/bureau/compensation'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('formula-form')
      await form.locator('input[name=sharePerCall]').fill('-1')
      await form.getByTestId('formula-save').click()
      await form.getByTestId('error-sharePerCall').waitFor()
      await form.locator('input[name=sharePerCall]').fill('0.10') // ¥0.10 per call (ADR 0048: typed in yuan)
      await form.locator('input[name=qualityWeight]').fill('0')
      await form.locator('input[name=effectiveFrom]').fill(`${last.period}-01`)
      await form.getByTestId('formula-save').click()
      await page.waitForURL((url) => url.searchParams.has('saved'))
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('formula-versions').locator('tbody tr').count()).toBeGreaterThan(0)
      // The pricing page shows the maximum allowed revenue.
      await page.goto(at('/bureau/pricing'))
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('revenue-cap').count()).toBe(1)
    })

    await asUser('operator', async (page) => {
      await page.goto(at('/operator/compensation'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('compute-form')
      expect(await form.locator('input[name=period]').inputValue()).toBe(last.period)
      await form.locator('button[type=submit]').click()
      await page.waitForURL((url) => url.searchParams.get('computed') === last.period)
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('comp-statements').locator('tbody tr').count()).toBeGreaterThan(0)
      // The Lago page shows the outbox (Lago unset here: the embedded engine alone).
      expect((await page.goto(at('/operator/lago')))?.status()).toBe(200)
      expect(await page.getByTestId('lago-config').textContent()).toContain('LAGO_API_URL')
    })

    await asUser('scjg', async (page) => {
      expect((await page.goto(at('/source-unit/compensation')))?.status()).toBe(200)
      const statement = page.getByTestId(`statement-${last.period}`)
      // 40 calls × 10 fen × (1 + the dataset's frequency weight, 0 by default) = ¥4.00 at least.
      expect(fenOf(await statement.getByTestId('statement-amount').textContent())).toBeGreaterThanOrEqual(400)
      expect((await page.goto(at('/operator/compensation')))?.status()).not.toBe(200)
    })
  })
})
