import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { cityEnterprises, partners, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { previewBillingPeriod } from '#billing/invoices/preview-billing-period.ts'
import { formatMonth } from '#platform/calendar/shanghai-calendar.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

// Issue 12 in the browser, the whole chain (ADRs 0030–0032, 0034): a visitor finds "become a partner" in the catalog,
// applies and uploads a document; the operator reviews and approves; the invited administrator sets a password, accepts
// the agreements, subscribes to one product under two scenarios (industrial, and public interest which the bureau
// approves), invites a developer, who sets a password and makes a key per subscription; both keys answer, each metered
// and billed under its own subscription and purpose.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const PASSWORD = 'Qx7#lantern-Ridge'
const NAME = '沈阳浏览器测试科技有限公司'
const USCC = makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210104', orgCodeBody8: 'MA0E0001' })

describe('from application to two working keys', () => {
  let browser: Browser
  let platform: PlatformHarness
  const contexts: BrowserContext[] = []
  let applicant: Page
  let statusUrl = ''
  let number = ''

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await platform?.stop()
  })
  const at = (path: string) => new URL(path, platform.url).href
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    contexts.push(context)
    return context.newPage()
  }

  it('the visitor goes from the catalog to the form, applies and uploads a document', async () => {
    applicant = await newPage()
    // A product page says what it costs (issue 16), in yuan.
    await applicant.goto(at('/catalog/verify-enterprise-identity'))
    expect(await applicant.getByTestId('product-price').getByTestId('price-call').textContent()).toMatch(/¥\d/)
    await applicant.goto(at('/catalog'))
    await expectNoSeriousAxeViolations(applicant)
    await waitForHydration(applicant)
    await applicant.getByTestId('become-partner-link').click()
    await applicant.waitForURL((u) => u.pathname === '/apply')
    await expectNoSeriousAxeViolations(applicant)
    await waitForHydration(applicant)
    // A wrong check digit first: the field says so, nothing is stored.
    await applicant.getByTestId('apply-name').fill(NAME)
    await applicant.getByTestId('apply-uscc').fill(USCC.slice(0, 17) + (USCC.endsWith('0') ? '1' : '0'))
    await applicant.getByTestId('apply-contact-name').fill('王芳')
    await applicant.getByTestId('apply-contact-phone').fill('13800001111')
    await applicant.getByTestId('apply-contact-email').fill('wang@example.cn')
    await applicant.getByTestId('apply-scenarios').fill('小微企业贷前核验')
    await applicant.getByTestId('apply-submit').click()
    await applicant.getByTestId('apply-uscc-error').waitFor()
    await applicant.getByTestId('apply-uscc').fill(USCC)
    await applicant.getByTestId('apply-submit').click()
    await applicant.waitForURL((u) => u.pathname.startsWith('/apply/status/'))
    await expectNoSeriousAxeViolations(applicant)
    statusUrl = applicant.url().split('?')[0]!
    await applicant.getByTestId('apply-submitted').waitFor()
    number = (await applicant.getByTestId('apply-number').textContent())!.trim()
    expect(number).toMatch(/^SQ-\d{4}-\d{6}$/)
    expect(await applicant.getByTestId('apply-state').getAttribute('data-state')).toBe('submitted')
    await waitForHydration(applicant)
    await applicant.getByTestId('document-file').setInputFiles({ name: '营业执照.pdf', mimeType: 'application/pdf', buffer: PDF })
    await applicant.getByTestId('document-submit').click()
    await applicant.getByTestId('document-done').waitFor()
    await applicant.getByTestId('apply-documents').getByText('营业执照.pdf').waitFor()
  })

  let inviteUrl = ''
  it('the operator finds it in the queue, sees the document and approves it', async () => {
    const operator = await newPage()
    await signIn(operator, platform.url, 'operator')
    await expectNoSeriousAxeViolations(operator)
    await operator.goto(at('/operator/applications'))
    await expectNoSeriousAxeViolations(operator)
    await operator.getByTestId(`application-${number}`).getByRole('link').click()
    await operator.waitForURL((u) => u.pathname === `/operator/applications/${number}`)
    await expectNoSeriousAxeViolations(operator)
    await waitForHydration(operator)
    await operator.getByTestId('application-documents').getByText('营业执照.pdf').waitFor()
    expect(await operator.getByTestId('application-subject').textContent()).toBe(USCC)
    await operator.getByTestId('application-start').click()
    await operator.getByTestId('application-state').getByText('审核中').waitFor()
    operator.once('dialog', (dialog) => void dialog.accept())
    await operator.getByTestId('application-approve').click()
    await operator.getByTestId('approved').waitFor()
    inviteUrl = (await operator.getByTestId('invite-url').textContent())!.trim()
    expect(inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/)
  })

  it('the applicant sees the approval and, through the status page, sets the password and lands signed in', async () => {
    await applicant.goto(statusUrl)
    await expectNoSeriousAxeViolations(applicant)
    expect(await applicant.getByTestId('apply-state').getAttribute('data-state')).toBe('approved')
    await applicant.getByTestId('apply-invite-link').click()
    await applicant.waitForURL((u) => u.pathname.startsWith('/invite/'))
    await expectNoSeriousAxeViolations(applicant)
    await waitForHydration(applicant)
    await applicant.getByTestId('invite-password').fill(PASSWORD)
    await applicant.getByTestId('invite-confirm').fill(PASSWORD)
    await applicant.getByTestId('invite-submit').click()
    await applicant.waitForURL((u) => u.pathname === '/partner')
    await expectNoSeriousAxeViolations(applicant)
    expect(await applicant.content()).toContain(NAME)
    // The operator's link is spent too: a second browser is told so.
    const late = await newPage()
    await late.goto(inviteUrl)
    await expectNoSeriousAxeViolations(late)
    expect(await late.getByTestId('invite-refused').getAttribute('data-state')).toBe('used')
  })

  const PRODUCT = 'verify-enterprise-identity'
  const INDUSTRIAL = '小微企业贷前核验企业身份（商业用途）'
  const PUBLIC = '社区养老机构准入时核验合作企业身份（公益用途）'
  const partnerCode = () => `p-${number.slice(3).toLowerCase()}`
  async function post(page: Page, path: string, click: () => Promise<void>) {
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === path), click()])
    await page.waitForLoadState('networkidle')
  }
  const subscriptionOf = async (purpose: 'industrial' | 'public_interest') => {
    const { db } = platform.database
    const [partner] = await db.select({ id: partners.id }).from(partners).where(eq(partners.code, partnerCode()))
    const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, PRODUCT))
    return (
      await db
        .select()
        .from(subscriptions)
        .where(
          and(
            eq(subscriptions.partnerId, partner!.id),
            eq(subscriptions.productId, product!.id),
            eq(subscriptions.purpose, purpose),
          ),
        )
    )[0]
  }

  it('the new administrator accepts the agreements, then subscribes under two scenarios', async () => {
    await applicant.goto(at('/partner/agreements'))
    await expectNoSeriousAxeViolations(applicant)
    await waitForHydration(applicant)
    await applicant.getByTestId('agreement-banner').waitFor()
    for (const kind of ['cooperation', 'platform_service']) {
      const section = applicant.getByTestId(`agreement-${kind}`)
      const accept = section.getByTestId(`accept-${kind}`)
      if ((await accept.count()) === 0) continue
      await post(applicant, '/partner/agreements', () => accept.locator('button[type=submit]').click())
      await section.getByTestId('agreement-record').waitFor()
    }
    expect(await applicant.getByTestId('agreement-banner').count()).toBe(0)

    await applicant.goto(at('/partner/subscriptions'))
    await expectNoSeriousAxeViolations(applicant)
    await waitForHydration(applicant)
    const form = applicant.getByTestId('subscribe-form')
    await form.locator('select[name=productCode]').selectOption(PRODUCT)
    await form.locator('input[name=purpose][value=industrial]').check()
    await form.locator('textarea[name=scenario]').fill(INDUSTRIAL)
    await Promise.all([
      applicant.waitForURL((u) => u.searchParams.get('created') === 'active'),
      form.locator('button[type=submit]').click(),
    ])
    await waitForHydration(applicant)
    await form.locator('select[name=productCode]').selectOption(PRODUCT)
    await form.locator('input[name=purpose][value=public_interest]').check()
    await form.locator('textarea[name=scenario]').fill(PUBLIC)
    await form.locator('textarea[name=statement]').fill('为社区养老服务机构准入审核核验合作企业身份，不收取任何费用')
    await Promise.all([
      applicant.waitForURL((u) => u.searchParams.get('created') === 'pending'),
      form.locator('button[type=submit]').click(),
    ])
    const rows = applicant.getByTestId(`subscription-${PRODUCT}`)
    await rows.filter({ hasText: PUBLIC }).waitFor()
    expect(await rows.count()).toBe(2)
    expect(await subscriptionOf('industrial')).toMatchObject({ state: 'active', scenario: INDUSTRIAL })
    expect(await subscriptionOf('public_interest')).toMatchObject({ state: 'pending', scenario: PUBLIC })
  })

  it('the bureau approves the public-interest scenario', async () => {
    const bureau = await newPage()
    await signIn(bureau, platform.url, 'bureau')
    await expectNoSeriousAxeViolations(bureau)
    const publicId = (await subscriptionOf('public_interest'))!.id
    // The bureau's home counts what waits for it and links to the queue.
    await bureau.goto(at('/bureau'))
    const waiting = bureau.getByTestId('pending-subscriptions')
    expect(Number(await waiting.getAttribute('data-count'))).toBeGreaterThanOrEqual(1)
    await waiting.getByRole('link').click()
    await bureau.waitForURL((u) => u.pathname === '/bureau/subscriptions')
    await expectNoSeriousAxeViolations(bureau)
    await waitForHydration(bureau)
    const card = bureau.getByTestId(`pending-${publicId}`)
    expect(await card.getByTestId('scenario').textContent()).toContain(PUBLIC)
    await card.locator('textarea[name=comment]').fill('属于公益服务场景，同意无偿使用')
    await Promise.all([
      bureau.waitForURL((u) => u.searchParams.get('decided') === 'approve'),
      card.locator('button[value=approve]').click(),
    ])
    expect((await subscriptionOf('public_interest'))!.state).toBe('active')
  })

  let developerInvite = ''
  it('the administrator invites a developer from the team page', async () => {
    await applicant.goto(at('/partner/team'))
    await expectNoSeriousAxeViolations(applicant)
    await waitForHydration(applicant)
    const form = applicant.getByTestId('team-invite-form')
    // A malformed name is refused next to its field, and nothing is created.
    await form.getByTestId('team-username').fill('No Spaces!')
    await form.getByTestId('team-display-name').fill('李开发')
    await post(applicant, '/partner/team', () => applicant.getByTestId('team-invite').click())
    await form.getByText('用户名须为').waitFor()
    await form.getByTestId('team-username').fill(`${partnerCode()}-dev`)
    await post(applicant, '/partner/team', () => applicant.getByTestId('team-invite').click())
    developerInvite = (await applicant.getByTestId('team-invite-url').textContent())!.trim()
    expect(developerInvite).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/)
    expect(await applicant.getByTestId(`team-${partnerCode()}-dev`).getAttribute('data-state')).toBe('invited')
  })

  it('the developer sets a password, makes a key per subscription, and both keys answer and bill apart', async () => {
    const developer = await newPage()
    await developer.goto(developerInvite)
    await expectNoSeriousAxeViolations(developer)
    await waitForHydration(developer)
    await developer.getByTestId('invite-password').fill(PASSWORD)
    await developer.getByTestId('invite-confirm').fill(PASSWORD)
    await developer.getByTestId('invite-submit').click()
    await developer.waitForURL((u) => u.pathname === '/developer')
    await expectNoSeriousAxeViolations(developer)
    const keys: Record<string, string> = {}
    for (const purpose of ['industrial', 'public_interest'] as const) {
      const id = (await subscriptionOf(purpose))!.id
      await developer.goto(at('/developer/keys'))
      await expectNoSeriousAxeViolations(developer)
      await waitForHydration(developer)
      const form = developer.getByTestId('create-key-form')
      await form.locator('input[name=name]').fill(`key ${purpose}`)
      await form.locator('select[name=subscriptionId]').selectOption(id)
      await post(developer, '/developer/keys', () => form.locator('button[type=submit]').click())
      keys[purpose] = (await developer.getByTestId('new-key').textContent())!.trim()
    }
    const { db } = platform.database
    const [row] = await db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    for (const purpose of ['industrial', 'public_interest'] as const) {
      const res = await fetch(at('/api/v1/verifications/enterprise'), {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[purpose]}`, 'content-type': 'application/json' },
        body: JSON.stringify(row),
      })
      expect(res.status).toBe(200)
    }
    const industrial = (await subscriptionOf('industrial'))!
    const publicInterest = (await subscriptionOf('public_interest'))!
    const events = await db
      .select({ subscriptionId: usageEvents.subscriptionId, purpose: usageEvents.purpose, at: usageEvents.at })
      .from(usageEvents)
      .where(eq(usageEvents.partnerId, industrial.partnerId))
    expect(
      events
        .map(({ subscriptionId, purpose }) => ({ subscriptionId, purpose }))
        .sort((a, b) => a.purpose.localeCompare(b.purpose)),
    ).toEqual([
      { subscriptionId: industrial.id, purpose: 'industrial' },
      { subscriptionId: publicInterest.id, purpose: 'public_interest' },
    ])
    // Billed apart: the period's preview has a paid industrial line and a waived public-interest line for the product.
    const preview = await previewBillingPeriod(db, { period: formatMonth(events[0]!.at), partnerId: industrial.partnerId })
    if (!preview.ok) throw new Error(preview.error.message)
    const lines = preview.value.invoices.flatMap((i) => i.lines).filter((l) => l.product === PRODUCT && l.kind === 'usage')
    const byPurpose = Object.fromEntries(lines.map((l) => [l.purpose, l]))
    expect(byPurpose.industrial).toMatchObject({ events: 1 })
    expect(byPurpose.industrial!.amountFen).toBeGreaterThan(0)
    expect(byPurpose.public_interest).toMatchObject({ events: 1, amountFen: 0 })
  })
})
