import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { cityEnterprises, partners, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

// Scenarios (ADR 0032) in the browser: the partner admin subscribes under a second, public-interest scenario to a
// product it already uses commercially; the bureau approves it seeing the scenario; the developer makes a key for
// each subscription; both keys answer, each metered under its own subscription and purpose.

const PATH = '/api/v1/verifications/enterprise'
const PRODUCT = 'verify-enterprise-identity'
const SCENARIO = '社区养老机构准入时核验合作企业身份'

describe('a second scenario for a product already in use', () => {
  let browser: Browser
  let platform: PlatformHarness
  let body: string
  let shengjingId: string
  let productId: string
  const pages: Record<string, { context: BrowserContext; page: Page }> = {}

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    const { db } = platform.database
    const [row] = await db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    body = JSON.stringify(row)
    shengjingId = (await db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.id
    productId = (await db.select({ id: products.id }).from(products).where(eq(products.code, PRODUCT)))[0]!.id
  })
  afterAll(async () => {
    for (const { context } of Object.values(pages)) await context.close()
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  async function as(username: string): Promise<Page> {
    if (!pages[username]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      const page = await context.newPage()
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      pages[username] = { context, page }
    }
    return pages[username]!.page
  }

  async function callApi(key: string) {
    const res = await fetch(at(PATH), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  async function post(page: Page, path: string, click: () => Promise<void>) {
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === path), click()])
    await page.waitForLoadState('networkidle')
  }

  const subscriptionOf = async (purpose: 'industrial' | 'public_interest') =>
    (
      await platform.database.db
        .select()
        .from(subscriptions)
        .where(
          and(
            eq(subscriptions.partnerId, shengjingId),
            eq(subscriptions.productId, productId),
            eq(subscriptions.purpose, purpose),
          ),
        )
    )[0]!

  let publicId = ''

  it('the partner admin subscribes under a second scenario (public interest) to a product it already uses', async () => {
    const page = await as('partner.admin')
    await page.goto(at('/partner/subscriptions'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('subscribe-form')
    await form.locator('select[name=productCode]').selectOption(PRODUCT)
    await form.locator('input[name=purpose][value=public_interest]').check()
    await form.locator('textarea[name=statement]').fill('为社区养老服务机构准入审核核验合作企业身份（公共服务场景）')
    await post(page, '/partner/subscriptions', () => form.locator('button[type=submit]').click())
    expect(await page.getByTestId('scenario-error').textContent()).toBeTruthy()

    await form.locator('textarea[name=scenario]').fill(SCENARIO)
    await form.locator('input[name=expectedMonthlyVolume]').fill('300')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('created') === 'pending'),
      form.locator('button[type=submit]').click(),
    ])
    const rows = page.getByTestId(`subscription-${PRODUCT}`)
    await rows.filter({ hasText: SCENARIO }).waitFor()
    expect(await rows.count()).toBe(2)
    const sub = await subscriptionOf('public_interest')
    expect(sub).toMatchObject({ state: 'pending', scenario: SCENARIO, expectedMonthlyVolume: 300 })
    publicId = sub.id
  })

  it('the bureau sees the scenario and approves the public-interest subscription', async () => {
    const page = await as('bureau')
    await page.goto(at('/bureau/subscriptions'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const card = page.getByTestId(`pending-${publicId}`)
    expect(await card.getByTestId('scenario').textContent()).toContain(SCENARIO)
    await card.locator('textarea[name=comment]').fill('属于公益服务场景，同意无偿使用')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('decided') === 'approve'),
      card.locator('button[value=approve]').click(),
    ])
    await page.getByTestId(`pending-${publicId}`).waitFor({ state: 'detached' })
    expect((await subscriptionOf('public_interest')).state).toBe('active')
  })

  it('the developer creates a key for each subscription; both keys answer, each under its own purpose', async () => {
    const page = await as('partner.dev')
    const industrialId = (await subscriptionOf('industrial')).id
    const keys: Record<string, string> = {}
    for (const [purpose, id] of [
      ['public_interest', publicId],
      ['industrial', industrialId],
    ] as const) {
      await page.goto(at('/developer/keys'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('create-key-form')
      await form.locator('input[name=name]').fill(`scenario ${purpose}`)
      await form.locator('select[name=subscriptionId]').selectOption(id)
      await post(page, '/developer/keys', () => form.locator('button[type=submit]').click())
      keys[purpose] = (await page.getByTestId('new-key').textContent())!.trim()
    }
    const since = performance.now()
    await waitUntilElapsed(since, PROPAGATION_PROMISE_MS)
    expect(await callApi(keys.public_interest!)).toEqual({ status: 200, code: null })
    expect(await callApi(keys.industrial!)).toEqual({ status: 200, code: null })
    const events = await platform.database.db
      .select({ subscriptionId: usageEvents.subscriptionId, purpose: usageEvents.purpose })
      .from(usageEvents)
      .where(eq(usageEvents.productId, productId))
    expect(events).toEqual(
      expect.arrayContaining([
        { subscriptionId: publicId, purpose: 'public_interest' },
        { subscriptionId: industrialId, purpose: 'industrial' },
      ]),
    )
  })
})
