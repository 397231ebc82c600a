import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { and, count, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import {
  authorizations,
  cityMedicalInsurance,
  datasetRecords,
  datasets,
  demandItems,
  demandItemTransitions,
  products,
} from '#db/schema/index.ts'
import { DEMO_UNAUTHORIZED_DATASET } from '#seed/seed-catalog-demo.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const shots = join(process.cwd(), 'test', '.tmp')

/** Re-reads the page until it shows what the step expects (the UI updates after the server answers). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 })

describe('catalog and authorization in the browser: demand → review → grant → product; refusal with a legal basis; role queues', () => {
  let browser: Browser
  let platform: PlatformHarness
  const pages: Record<string, { context: BrowserContext; page: Page }> = {}
  const run = Date.now().toString(36)

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    mkdirSync(shots, { recursive: true })
  })
  afterAll(async () => {
    for (const { context } of Object.values(pages)) await context.close()
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  /** One signed-in page per user, kept across the steps. */
  async function as(username: string): Promise<Page> {
    if (!pages[username]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
      const page = await context.newPage()
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      pages[username] = { context, page }
    }
    return pages[username]!.page
  }

  async function open(page: Page, path: string) {
    const response = await page.goto(at(path))
    expect(response?.status(), path).toBe(200)
    await waitForHydration(page)
  }

  /** Clicks a submit button and waits for the action's answer (used when the action answers an error, not a redirect). */
  async function postAndStay(page: Page, path: string, click: () => Promise<void>) {
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === path), click()])
    await page.waitForLoadState('networkidle')
  }

  /** The operator drafts a list with one item and submits it; returns the list code. */
  async function operatorSubmitsDemand(item: { dataset?: string; sourceUnit?: string; description: string; scenario: string }) {
    const page = await as('operator')
    await open(page, '/operator/demands')
    await page.getByTestId('new-list').locator('input[name=title]').fill(`需求清单 ${item.scenario}`)
    await Promise.all([
      page.waitForURL((u) => /^\/operator\/demands\/XQ-\d{4}-\d{4}$/.test(u.pathname)),
      page.getByTestId('new-list').locator('button[type=submit]').click(),
    ])
    await waitForHydration(page)
    const listCode = (await page.getByTestId('list-code').textContent())!
    const form = page.getByTestId('add-item')
    await form.locator('select[name=datasetCode]').selectOption(item.dataset ?? '')
    if (item.sourceUnit) await form.locator('select[name=sourceUnitCode]').selectOption(item.sourceUnit)
    await form.locator('textarea[name=dataDescription]').fill(item.description)
    await form.locator('select[name=retrievalMethod]').selectOption('file')
    await form.locator('textarea[name=usageScenario]').fill(item.scenario)
    await form.locator('input[name=requestedTermMonths]').fill('24')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('done') === 'add_item'),
      form.locator('button[type=submit]').click(),
    ])
    await poll(() =>
      page.getByTestId('demand-item').filter({ hasText: item.scenario }).getByTestId('item-state').textContent(),
    ).toBe('草稿')
    // Submitting the list is irreversible: the button asks first.
    page.once('dialog', (dialog) => void dialog.accept())
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('done') === 'submit_list'),
      page.getByTestId('submit-list').click(),
    ])
    await poll(() => page.getByTestId('list-state').textContent()).toBe('已提交')
    await poll(() =>
      page.getByTestId('demand-item').filter({ hasText: item.scenario }).getByTestId('item-state').textContent(),
    ).toBe('待审核')
    return listCode
  }

  async function bureauApproves(scenario: string) {
    const page = await as('bureau')
    await open(page, '/bureau/demands')
    const card = page.getByTestId('bureau-queue').getByTestId('demand-item').filter({ hasText: scenario })
    await poll(() => card.count()).toBe(1)
    // Returning needs a comment: the error shows next to the comment field.
    await postAndStay(page, '/bureau/demands', () => card.getByTestId('return').click())
    await poll(() => card.locator('.field-error').textContent()).toBe('退回时请填写意见')
    await card.locator('textarea[name=comment]').fill('同意，注意最小必要')
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'approved'), card.getByTestId('approve').click()])
    await poll(() => page.getByTestId('bureau-queue').getByTestId('demand-item').filter({ hasText: scenario }).count()).toBe(0)
  }

  const productCode = `annual-check-${run}`
  const productName = `企业年报经营核验 ${run}`
  const scenario1 = `为银行提供小微企业贷前经营核验 ${run}`
  const scenario2 = `个人信用画像（需个人信息） ${run}`

  it('walks one demand from the operator’s draft through the bureau’s approval and the source unit’s grant to a published product', async () => {
    const { db } = platform.database
    const listCode = await operatorSubmitsDemand({
      dataset: DEMO_UNAUTHORIZED_DATASET,
      description: '企业年报中的从业人数与营业收入',
      scenario: scenario1,
    })
    await bureauApproves(scenario1)

    // The source unit grants: a term over 36 months is refused next to the field, 24 months is accepted.
    const unit = await as('scjg')
    await open(unit, '/source-unit/demands')
    const card = unit.getByTestId('unit-queue').getByTestId('demand-item').filter({ hasText: scenario1 })
    await poll(() => card.getByTestId('item-bureau-comment').textContent()).toBe('同意，注意最小必要')
    const grant = card.getByTestId('grant-form')
    await grant.locator('select[name=deliveryMode]').selectOption('file')
    await grant.locator('input[name=termMonths]').fill('37')
    unit.once('dialog', (dialog) => void dialog.accept())
    await postAndStay(unit, '/source-unit/demands', () => grant.getByTestId('grant').click())
    await poll(() => grant.locator('.field-error').textContent()).toBe('授权期限不得超过 3 年（第十七条）；续期需重新提出需求')
    await grant.locator('input[name=termMonths]').fill('24')
    unit.once('dialog', (dialog) => void dialog.accept())
    await Promise.all([unit.waitForURL((u) => u.searchParams.get('done') === 'grant'), grant.getByTestId('grant').click()])
    await poll(() => unit.getByTestId('unit-queue').getByTestId('demand-item').filter({ hasText: scenario1 }).count()).toBe(0)
    await open(unit, '/source-unit/authorizations')
    const [dataset] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.code, DEMO_UNAUTHORIZED_DATASET))
    const [auth] = await db.select().from(authorizations).where(eq(authorizations.datasetId, dataset!.id))
    expect(auth).toMatchObject({ state: 'active', deliveryMode: 'file' })
    await poll(() => unit.getByTestId(`authorization-${auth!.code}`).getByTestId('authorization-state').textContent()).toBe(
      '有效',
    )

    // The operator loads the dataset's file, watching the upload progress, and sees the lineage.
    const operator = await as('operator')
    await open(operator, `/operator/datasets/${DEMO_UNAUTHORIZED_DATASET}`)
    const lines = ['uscc,year,employees,revenue_wan,contact_phone']
    for (let i = 0; i < 20_000; i++)
      lines.push(`91210102MA0${String(i).padStart(6, '0')}X,2025,${i % 300},${(i % 1000) * 1.5},13800000000`)
    await operator.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean }
      w.sawProgress = false
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=upload-progress] progress')) w.sawProgress = true
      }).observe(document.body, { subtree: true, childList: true })
    })
    await operator
      .getByTestId('upload-form')
      .locator('input[type=file]')
      .setInputFiles({ name: 'annual-2025.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) })
    await operator.getByTestId('upload-form').locator('button[type=submit]').click()
    const result = operator.getByTestId('upload-result')
    await result.waitFor({ timeout: 60_000 })
    expect(await result.getAttribute('data-state')).toBe('succeeded')
    expect(await operator.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true)
    await operator.getByTestId('load-row').first().waitFor()
    expect(await operator.getByTestId('load-row').first().getAttribute('data-state')).toBe('succeeded')
    expect(await db.select({ n: count() }).from(datasetRecords).where(eq(datasetRecords.datasetId, dataset!.id))).toEqual([
      { n: 20_000 },
    ])

    // The operator drafts a product on it and submits it.
    await open(operator, '/operator/products')
    const create = operator.getByTestId('create-product')
    await create.locator('input[name=code]').fill(productCode)
    await create.locator('input[name=nameZh]').fill(productName)
    await create.locator('input[name=nameEn]').fill('Annual-report business check')
    await create.locator('select[name=form]').selectOption('verification')
    await create.locator('select[name=domain]').selectOption('market')
    await create.locator('textarea[name=descriptionZh]').fill('依据企业年度报告核验企业是否正常经营，仅返回核验结论。')
    await create.locator(`input[name=datasetCodes][value=${DEMO_UNAUTHORIZED_DATASET}]`).check()
    await create.locator('textarea[name=exampleRequest]').fill('{"uscc":"91210102MA0QW8R76J"}')
    await create.locator('textarea[name=exampleResponse]').fill('{"operating":true}')
    await Promise.all([
      operator.waitForURL((u) => u.searchParams.get('done') === 'create'),
      create.locator('button[type=submit]').click(),
    ])
    const row = operator.getByTestId(`product-row-${productCode}`)
    await poll(() => row.getByTestId('product-state').textContent()).toBe('草稿')
    await Promise.all([
      operator.waitForURL((u) => u.searchParams.get('done') === 'submit'),
      row.getByTestId('submit-product').click(),
    ])
    await poll(() => operator.getByTestId(`product-row-${productCode}`).getByTestId('product-state').textContent()).toBe('审核中')

    // The bureau publishes it.
    const bureau = await as('bureau')
    await open(bureau, '/bureau/products')
    const review = bureau.getByTestId(`review-${productCode}`)
    await Promise.all([
      bureau.waitForURL((u) => u.searchParams.get('done') === 'published'),
      review.getByTestId('approve').click(),
    ])
    const [product] = await db.select().from(products).where(eq(products.code, productCode))
    expect(product).toMatchObject({ state: 'published', level: 'L2' })
    expect(product!.registrationCode).toMatch(/^SYGD-CP-\d{4}-\d{4}$/)

    // Anyone finds it in the public catalog, by search, and opens its page.
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    try {
      const visitor = await context.newPage()
      await visitor.goto(at(`/catalog?q=${encodeURIComponent('年报经营核验')}&form=verification&sourceUnit=market-regulation`))
      await expectNoSeriousAxeViolations(visitor)
      await poll(() => visitor.getByTestId(`product-${productCode}`).count()).toBe(1)
      await poll(() => visitor.getByTestId('product-verify-enterprise-identity').count()).toBe(0)
      await Promise.all([
        visitor.waitForURL((u) => u.pathname === `/catalog/${productCode}`),
        visitor.getByTestId(`product-${productCode}`).locator('h2 a').click(),
      ])
      await poll(() => visitor.getByTestId('product-title').textContent()).toBe(productName)
      await poll(() => visitor.getByTestId('product-level').textContent()).toBe('L2')
      await poll(() => visitor.getByTestId('product-registration').textContent()).toBe(product!.registrationCode)
      await poll(() => visitor.getByTestId('product-source-units').textContent()).toContain('沈阳市市场监督管理局')
      await poll(() => visitor.getByTestId('example-request').textContent()).toContain('"uscc": "91210102MA0QW8R76J"')
      await poll(() => visitor.getByTestId('example-response').textContent()).toContain('"operating": true')
      expect(await visitor.getByTestId('docs-link').getAttribute('href')).toBe('/developer/docs')
      expect(await visitor.getByTestId('openapi-link').getAttribute('href')).toBe('/api/v1/openapi.json')
      await visitor.screenshot({ path: join(shots, 'catalog-product.png'), fullPage: true })
      expect((await visitor.goto(at('/catalog/district-health-report')))?.status()).toBe(404) // still under review
    } finally {
      await context.close()
    }

    // Every transition was recorded with actor and time.
    const [item] = await db
      .select({ id: demandItems.id, state: demandItems.state })
      .from(demandItems)
      .where(and(eq(demandItems.usageScenario, scenario1), eq(demandItems.state, 'granted')))
    const transitions = await db.select().from(demandItemTransitions).where(eq(demandItemTransitions.itemId, item!.id))
    expect(transitions.map((t) => `${t.fromState}>${t.toState}:${t.actorLabel}`).sort()).toEqual(
      ['approved>granted:scjg', 'draft>pending_review:operator', 'pending_review>approved:bureau'].sort(),
    )
    expect(listCode).toMatch(/^XQ-/)
  })

  it('takes a refusal only with its legal basis: without it the form says what is missing, next to each field', async () => {
    const listCode = await operatorSubmitsDemand({
      sourceUnit: 'market-regulation',
      description: '企业法定代表人个人身份信息',
      scenario: scenario2,
    })
    await bureauApproves(scenario2)

    const unit = await as('scjg')
    await open(unit, '/source-unit/demands')
    const card = unit.getByTestId('unit-queue').getByTestId('demand-item').filter({ hasText: scenario2 })
    const refuse = card.getByTestId('refuse-form')
    unit.once('dialog', (dialog) => void dialog.accept())
    await postAndStay(unit, '/source-unit/demands', () => refuse.getByTestId('refuse').click())
    await poll(() => refuse.getByTestId('form-error').textContent()).toBe('不予授权须写明法律依据及理由说明（第十五条）')
    await poll(() =>
      refuse
        .locator('label', { has: unit.getByTestId('citation') })
        .locator('.field-error')
        .textContent(),
    ).toBe('请填写此项')
    await poll(() =>
      refuse
        .locator('label', { has: unit.getByTestId('explanation') })
        .locator('.field-error')
        .textContent(),
    ).toBe('请填写此项')

    await refuse.getByTestId('citation').fill('《中华人民共和国个人信息保护法》第十三条')
    unit.once('dialog', (dialog) => void dialog.accept())
    await postAndStay(unit, '/source-unit/demands', () => refuse.getByTestId('refuse').click())
    await poll(() =>
      refuse
        .locator('label', { has: unit.getByTestId('citation') })
        .locator('.field-error')
        .count(),
    ).toBe(0)
    await poll(() =>
      refuse
        .locator('label', { has: unit.getByTestId('explanation') })
        .locator('.field-error')
        .textContent(),
    ).toBe('请填写此项')
    const [still] = await platform.database.db
      .select({ state: demandItems.state })
      .from(demandItems)
      .where(eq(demandItems.usageScenario, scenario2))
    expect(still?.state).toBe('approved')

    // "无" is no explanation (issue 16): refused next to the field, the item still approved.
    await refuse.getByTestId('explanation').fill('无')
    unit.once('dialog', (dialog) => void dialog.accept())
    await postAndStay(unit, '/source-unit/demands', () => refuse.getByTestId('refuse').click())
    await poll(() =>
      refuse
        .locator('label', { has: unit.getByTestId('explanation') })
        .locator('.field-error')
        .textContent(),
    ).toBe('请写明具体内容，不能填写“无”“不适用”等占位内容')

    await refuse.getByTestId('explanation').fill('处理个人身份信息须取得个人同意或具备其他法定事由，本需求不具备。')
    unit.once('dialog', (dialog) => void dialog.accept())
    await Promise.all([unit.waitForURL((u) => u.searchParams.get('done') === 'refuse'), refuse.getByTestId('refuse').click()])
    await poll(() => unit.getByTestId('unit-queue').getByTestId('demand-item').filter({ hasText: scenario2 }).count()).toBe(0)
    const decided = unit.getByTestId('unit-decided').getByTestId('decided-item').filter({ hasText: scenario2 })
    await poll(() => decided.getByTestId('item-refusal').textContent()).toBe(
      '《中华人民共和国个人信息保护法》第十三条: 处理个人身份信息须取得个人同意或具备其他法定事由，本需求不具备。',
    )

    // The operator sees the refusal and its basis on the list, which is now closed.
    const operator = await as('operator')
    await open(operator, `/operator/demands/${listCode}`)
    const item = operator.getByTestId('demand-item').filter({ hasText: scenario2 })
    await poll(() => item.getByTestId('item-state').textContent()).toBe('不予授权')
    await poll(() => item.getByTestId('item-refusal').textContent()).toContain('个人信息保护法')
    await poll(() => operator.getByTestId('list-state').textContent()).toBe('已办结')
  })

  it('shows every role its own queue and nothing of the others’', async () => {
    // Source unit (market regulation): only its own items and authorizations.
    const unit = await as('scjg')
    await open(unit, '/source-unit/demands')
    const queueText = (await unit.getByTestId('unit-queue').textContent())!
    expect(queueText).toContain('企业年度报告中的从业人数与营业收入') // the seeded item awaiting it
    for (const foreign of ['分区县、分月的医保结算统计', '个人社会保险缴费记录', '企业纳税明细', '公交车辆实时到站数据'])
      expect(queueText).not.toContain(foreign)
    expect(await unit.getByTestId('unit-decided').textContent()).not.toContain('税收征收管理法')
    await open(unit, '/source-unit/authorizations')
    const codes = await unit.getByTestId('authorizations').locator('tbody tr td:nth-child(2) code').allTextContents()
    expect(codes.length).toBeGreaterThan(0)
    expect(codes.every((c) => c.startsWith('DS-SCJG-'))).toBe(true)
    await open(unit, '/source-unit')
    expect(Number(await unit.getByTestId('awaiting-count').textContent())).toBeGreaterThanOrEqual(1)

    // Bureau: the pending item and the product under review.
    const bureau = await as('bureau')
    await open(bureau, '/bureau/demands')
    await poll(() => bureau.getByTestId('bureau-queue').textContent()).toContain('分区县、分月的医保结算统计')
    expect(await bureau.getByTestId('bureau-queue').textContent()).not.toContain('个人社会保险缴费记录') // returned: the operator's
    await open(bureau, '/bureau/products')
    await poll(() => bureau.getByTestId('review-district-health-report').count()).toBe(1)

    // Operator: the returned item with the bureau's comment.
    const operator = await as('operator')
    await open(operator, '/operator/demands')
    const returned = operator.getByTestId('operator-queue').getByTestId('demand-item').filter({ hasText: '个人社会保险缴费记录' })
    await poll(() => returned.getByTestId('item-bureau-comment').textContent()).toBe('请补充个人信息保护措施与最小必要性说明')
    expect(await operator.getByTestId('operator-queue').textContent()).not.toContain('分区县、分月的医保结算统计')

    // Nobody opens another role's pages.
    const refusals: [string, string][] = [
      ['scjg', '/bureau/demands'],
      ['scjg', '/operator/datasets'],
      ['operator', '/source-unit/demands'],
      ['operator', '/bureau/authorizations'],
      ['bureau', '/operator/products'],
      ['bureau', '/source-unit/authorizations'],
      ['partner.admin', '/operator/demands'],
      ['partner.dev', '/bureau/products'],
    ]
    for (const [username, path] of refusals) {
      const page = await as(username)
      expect((await page.goto(at(path)))?.status(), `${username} ${path}`).toBe(403)
    }
    const context = await browser.newContext()
    try {
      const anonymous = await context.newPage()
      await anonymous.goto(at('/source-unit/demands'))
      await expectNoSeriousAxeViolations(anonymous)
      expect(new URL(anonymous.url()).pathname).toBe('/login')
    } finally {
      await context.close()
    }
  })

  it('refuses core data at registration next to the level, and the bureau’s termination deletes the data at once', async () => {
    const operator = await as('operator')
    await open(operator, '/operator/datasets')
    const form = operator.getByTestId('register-dataset')
    await form.locator('select[name=sourceUnitId]').selectOption({ label: '国家税务总局沈阳市税务局' })
    await form.locator('input[name=nameZh]').fill('重点税源核心数据')
    await form.locator('input[name=nameEn]').fill('Core tax data')
    await form.locator('select[name=level]').selectOption('core')
    await form.locator('input[name="fields.0.name"]').fill('uscc')
    await postAndStay(operator, '/operator/datasets', () => form.locator('button[type=submit]').click())
    await poll(() =>
      form
        .locator('label', { has: operator.getByTestId('level-select') })
        .locator('.field-error')
        .textContent(),
    ).toBe('核心数据、涉密数据不予登记（第六条）')
    expect(await platform.database.db.select().from(datasets).where(eq(datasets.nameZh, '重点税源核心数据'))).toEqual([])

    const { db } = platform.database
    expect((await db.select({ n: count() }).from(cityMedicalInsurance))[0]!.n).toBeGreaterThan(0)
    const bureau = await as('bureau')
    await open(bureau, '/bureau/authorizations')
    const row = bureau.getByTestId('authorization-SQ-YB-0001')
    await row.getByTestId('terminate-open').click()
    await postAndStay(bureau, '/bureau/authorizations', () => row.getByTestId('terminate').click())
    await poll(() => row.locator('.field-error').textContent()).toBe('请填写此项')
    await row.locator('textarea[name=reason]').fill('数源单位报告数据质量问题，终止授权（第二十六条）')
    await Promise.all([
      bureau.waitForURL((u) => u.searchParams.get('terminated') === 'SQ-YB-0001'),
      row.getByTestId('terminate').click(),
    ])
    await poll(() => bureau.getByTestId('terminated').textContent()).toContain('SQ-YB-0001')
    await poll(() => bureau.getByTestId('authorization-SQ-YB-0001').getByTestId('authorization-state').textContent()).toBe(
      '已终止',
    )
    expect((await db.select({ n: count() }).from(cityMedicalInsurance))[0]!.n).toBe(0)
  })
})
