import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { and, desc, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { auditLog, cityEnterprises, partners, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const PATH = '/api/v1/verifications/enterprise'
const PRODUCT = 'verify-enterprise-identity'
const shots = join(process.cwd(), 'test', '.tmp')

describe('subscriptions and suspensions in the browser: partner admin subscribes, bureau decides and suspends', () => {
  let browser: Browser
  let platform: PlatformHarness
  let body: string
  let shengjingId: string
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
    // The seeded industrial subscription ends, so the partner can subscribe again for a public-interest purpose.
    const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, PRODUCT))
    await db
      .update(subscriptions)
      .set({ state: 'ended', endedAt: Date.now() })
      .where(and(eq(subscriptions.partnerId, shengjingId), eq(subscriptions.productId, product!.id)))
    mkdirSync(shots, { recursive: true })
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

  async function callApi(key = demoApiKey) {
    const res = await fetch(at(PATH), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  /**
   * The API's answer to a call sent once the gateway's 1 s promise has run out since the change (made before now): a
   * request sent 1 s after the change must see it. A loaded machine only makes the call later, never the check wrong.
   */
  async function answerAfterPromise() {
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    return callApi()
  }

  async function post(page: Page, path: string, click: () => Promise<void>) {
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === path), click()])
    await page.waitForLoadState('networkidle')
  }

  let subscriptionId = ''

  it('the partner admin must state the public-interest scenario; the subscription then waits for the bureau', async () => {
    expect(await answerAfterPromise()).toEqual({ status: 403, code: 'not_subscribed' })
    const page = await as('partner.admin')
    await page.goto(at('/partner/subscriptions'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('subscribe-form')
    await form.locator('select[name=productCode]').selectOption(PRODUCT)
    await form.locator('input[name=purpose][value=public_interest]').check()
    await post(page, '/partner/subscriptions', () => form.locator('button[type=submit]').click())
    expect(await page.getByTestId('statement-error').textContent()).toBe('请填写此项')

    await form.locator('textarea[name=statement]').fill('为社区养老服务机构准入审核核验合作企业身份（公共服务场景）')
    await form.locator('textarea[name=scenario]').fill('社区养老服务机构准入核验')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('created') === 'pending'),
      form.locator('button[type=submit]').click(),
    ])
    expect(await page.getByTestId('subscription-created').textContent()).toContain('等待市数据局审核')
    const row = page.getByTestId(`subscription-${PRODUCT}`).filter({ hasText: '待审核' })
    expect(await row.count()).toBe(1)
    await page.screenshot({ path: join(shots, 'partner-subscriptions.png'), fullPage: true })

    const [sub] = await platform.database.db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.partnerId, shengjingId), eq(subscriptions.state, 'pending')))
      .orderBy(desc(subscriptions.createdAt))
    expect(sub).toMatchObject({
      purpose: 'public_interest',
      purposeStatement: '为社区养老服务机构准入审核核验合作企业身份（公共服务场景）',
    })
    subscriptionId = sub!.id
    expect(await answerAfterPromise()).toEqual({ status: 403, code: 'subscription_pending' })
  })

  it('the bureau must comment a rejection; it approves, and the call is answered and metered as public interest', async () => {
    const page = await as('bureau')
    await page.goto(at('/bureau/subscriptions'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const card = page.getByTestId(`pending-${subscriptionId}`)
    expect(await card.getByTestId('statement').textContent()).toContain('社区养老服务机构')
    await post(page, '/bureau/subscriptions', () => card.locator('button[value=reject]').click())
    expect(await card.getByTestId('comment-error').textContent()).toBe('请填写此项')

    await card.locator('textarea[name=comment]').fill('属于公益服务场景，同意无偿使用')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('decided') === 'approve'),
      card.locator('button[value=approve]').click(),
    ])
    // The URL changes before a loaded machine has rendered the revalidated page: wait for the page, not the URL.
    await page.getByTestId(`pending-${subscriptionId}`).waitFor({ state: 'detached' })
    await page.getByTestId('decided-table').filter({ hasText: '属于公益服务场景，同意无偿使用' }).waitFor()

    expect(await answerAfterPromise()).toEqual({ status: 200, code: null })
    const [event] = await platform.database.db.select().from(usageEvents).orderBy(desc(usageEvents.at)).limit(1)
    expect(event).toMatchObject({ subscriptionId, purpose: 'public_interest', status: 200 })
    const [entry] = await platform.database.db.select().from(auditLog).where(eq(auditLog.action, 'subscription.approve'))
    expect(entry).toMatchObject({ objectId: subscriptionId, actorLabel: 'bureau', role: 'bureau' })
  })

  it('the partner admin sees this month’s quota used and remaining per subscription', async () => {
    const page = await as('partner.admin')
    await page.goto(at('/partner/usage'))
    await expectNoSeriousAxeViolations(page)
    const row = page.getByTestId(`quota-${PRODUCT}`)
    expect(Number((await row.getByTestId('quota-used').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(1)
    expect(await row.getByTestId('quota-remaining').textContent()).toMatch(/^99,99\d$/)
    // The status with what it means, not a bare number (issue 16).
    expect(await page.getByTestId('usage-by-status').textContent()).toContain('200 成功')
  })

  it('the bureau suspends the product with a reason (423 within 1 s), lists it, and resumes it', async () => {
    const page = await as('bureau')
    await page.goto(at('/bureau/suspensions'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId(`product-form-${PRODUCT}`)
    await post(page, '/bureau/suspensions', () => form.locator('button[type=submit]').click())
    expect(await form.getByTestId('reason-error').textContent()).toBe('请填写此项')

    await form.locator('input[name=reason]').fill('数据质量核查期间暂停')
    await Promise.all([page.waitForURL((u) => u.searchParams.has('done')), form.locator('button[type=submit]').click()])
    expect(await page.getByTestId('current-suspensions').textContent()).toContain('数据质量核查期间暂停')
    expect(await page.getByTestId(`product-${PRODUCT}`).getByTestId('state').textContent()).toBe('已暂停')
    expect(await answerAfterPromise()).toEqual({ status: 423, code: 'product_suspended' })
    await page.screenshot({ path: join(shots, 'bureau-suspensions.png'), fullPage: true })

    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('done') === `resumeProduct:${PRODUCT}`),
      page.getByTestId(`product-form-${PRODUCT}`).locator('button[type=submit]').click(),
    ])
    expect(await answerAfterPromise()).toEqual({ status: 200, code: null })
  })

  it('the bureau suspends the partner (partner_suspended within 1 s) and resumes it', async () => {
    const page = await as('bureau')
    await page.goto(at('/bureau/suspensions'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('partner-form-shengjing-tech')
    await form.locator('input[name=reason]').fill('涉嫌违规转售数据，暂停调查')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('done') === 'suspendPartner:shengjing-tech'),
      form.locator('button[type=submit]').click(),
    ])
    expect(await page.getByTestId('current-suspensions').textContent()).toContain('涉嫌违规转售数据，暂停调查')
    expect(await answerAfterPromise()).toEqual({ status: 423, code: 'partner_suspended' })
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('done') === 'resumePartner:shengjing-tech'),
      page.getByTestId('partner-form-shengjing-tech').locator('button[type=submit]').click(),
    ])
    expect(await answerAfterPromise()).toEqual({ status: 200, code: null })
  })

  it('refuses the pages to the wrong roles (403)', async () => {
    const dev = await as('partner.admin')
    expect((await dev.goto(at('/bureau/suspensions')))?.status()).toBe(403)
    expect((await dev.goto(at('/bureau/subscriptions')))?.status()).toBe(403)
    const bureau = await as('bureau')
    expect((await bureau.goto(at('/partner/subscriptions')))?.status()).toBe(403)
    expect((await bureau.goto(at('/developer/keys')))?.status()).toBe(403)
  })
})
