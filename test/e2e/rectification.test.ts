import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { and, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { authorizations, cityEnterprises, datasets, rectificationCases } from '#db/schema/index.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const PATH = '/api/v1/verifications/enterprise'
const shots = join(process.cwd(), 'test', '.tmp')
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

describe('rectification in the browser: a source unit reports, the bureau opens and suspends, the operator answers, the bureau closes', () => {
  let browser: Browser
  let platform: PlatformHarness
  let body: string
  let authorizationCode: string
  let caseCode = ''
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
    const [auth] = await db
      .select({ code: authorizations.code })
      .from(authorizations)
      .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
      .where(and(eq(datasets.code, 'DS-SCJG-0001'), eq(authorizations.state, 'active')))
    authorizationCode = auth!.code
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
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
      const page = await context.newPage()
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      pages[username] = { context, page }
    }
    return pages[username]!.page
  }

  /** The API's answer to a call sent once the gateway's 1 s promise has passed since the change. */
  async function answerAfterPromise() {
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    const res = await fetch(at(PATH), {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  it('the source unit reports a problem (Art. 26) and sees its report', async () => {
    const page = await as('scjg')
    await page.goto(at('/source-unit/cases'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('report-form')
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === '/source-unit/cases'),
      form.locator('button[type=submit]').click(),
    ])
    expect(await page.locator('.field-error').first().textContent()).toBe('必填')
    await form.locator('textarea[name=report]').fill('运营单位调用企业登记数据时未记录调用用途')
    await Promise.all([page.waitForURL((u) => u.searchParams.has('reported')), form.locator('button[type=submit]').click()])
    caseCode = new URL(page.url()).searchParams.get('reported')!
    expect(caseCode).toMatch(/^ZG-\d{4}-\d{4}$/)
    await page.getByTestId(`case-${caseCode}`).waitFor()
    expect(await page.getByTestId(`case-${caseCode}`).getByTestId('case-state').textContent()).toBe('待立案')
  })

  it('the bureau opens the case with a deadline and pauses the authorization: 423 authorization_suspended', async () => {
    const page = await as('bureau')
    expect(Number(await page.getByTestId('inbox-unread').textContent())).toBeGreaterThanOrEqual(1)
    await page.goto(at(`/bureau/cases/${caseCode}`))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('open-form')
    await form.locator('select[name=targetKind]').selectOption('authorization')
    await form.locator('input[name=targetCode]').fill(authorizationCode)
    await form.locator('textarea[name=finding]').fill('未落实调用用途记录要求')
    await form.locator('input[name=ruleBreached]').fill('《办法》第二十四条')
    await form.locator('input[name=deadlineOn]').fill(formatDay(Date.now() + 7 * DAY_MS))
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'open'), form.getByTestId('open-submit').click()])
    await page.getByTestId('case-authorizations').waitFor()
    expect(await page.getByTestId('case-state').first().textContent()).toBe('整改中')

    const row = page.getByTestId(`authorization-${authorizationCode}`)
    await row.locator('input[name=reason]').fill('整改期间暂停数据供给')
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'suspend'), row.getByTestId('suspend').click()])
    await page.getByTestId(`authorization-${authorizationCode}`).getByTestId('resume').waitFor()
    expect(await answerAfterPromise()).toEqual({ status: 423, code: 'authorization_suspended' })
    await page.screenshot({ path: join(shots, 'bureau-case.png'), fullPage: true })
  })

  it('the operator is notified, a hostile file is refused, and its PDF evidence is accepted', async () => {
    const page = await as('operator')
    await page.goto(at('/inbox'))
    await expectNoSeriousAxeViolations(page)
    await page.getByTestId('notice-case_opened').first().waitFor()
    await page.getByTestId('notice-authorization_suspended').first().waitFor()
    await page.goto(at(`/operator/cases/${caseCode}`))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('evidence-form')
    await form.getByTestId('evidence-file').setInputFiles({
      name: 'report.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('<html><script>alert(1)</script></html>'),
    })
    await form.getByTestId('evidence-submit').click()
    expect(await page.getByTestId('evidence-error').textContent()).toContain('PDF')

    await form.getByTestId('evidence-file').setInputFiles({ name: '整改报告.pdf', mimeType: 'application/pdf', buffer: PDF })
    await form.getByTestId('evidence-submit').click()
    await page.getByTestId('evidence-done').waitFor()
    await page.getByTestId('evidence-list').waitFor()
    expect(await page.getByTestId('evidence-list').textContent()).toContain('整改报告.pdf')
    const [row] = await platform.database.db.select().from(rectificationCases).where(eq(rectificationCases.code, caseCode))
    expect(row!.state).toBe('evidence_submitted')
  })

  it('the bureau downloads the evidence, verifies and closes: the authorization resumes (200)', async () => {
    const page = await as('bureau')
    await page.goto(at(`/bureau/cases/${caseCode}`))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('evidence-download').click()])
    expect(download.suggestedFilename()).toBe('整改报告.pdf')
    const form = page.getByTestId('close-form')
    await form.locator('textarea[name=resolution]').fill('已补充调用用途记录，核实整改到位')
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'close'), form.getByTestId('close-submit').click()])
    await page.getByTestId('event-closed').waitFor()
    expect(await page.getByTestId('case-state').first().textContent()).toBe('已办结')
    expect(await answerAfterPromise()).toEqual({ status: 200, code: null })

    const operator = await as('operator')
    await operator.goto(at('/inbox'))
    await expectNoSeriousAxeViolations(operator)
    await waitForHydration(operator)
    await operator.getByTestId('notice-case_closed').first().waitFor()
    await Promise.all([operator.waitForURL((u) => u.pathname === '/inbox'), operator.getByTestId('mark-all').click()])
    await operator.getByTestId('mark-all').waitFor({ state: 'detached' })
    expect(await operator.getByTestId('inbox-unread').count()).toBe(0)
  })

  it('the partner’s administrator sees the case opened against its partner, with its timeline', async () => {
    const page = await as('partner.admin')
    await page.goto(at('/partner/cases'))
    await expectNoSeriousAxeViolations(page)
    const link = page.getByTestId('cases-table').locator('a').first()
    await Promise.all([page.waitForURL((u) => /^\/partner\/cases\/ZG-/.test(u.pathname)), link.click()])
    await page.getByTestId('case-timeline').waitFor()
    expect(await page.getByTestId('case-state').first().textContent()).toBe('已办结')
    expect(await page.getByTestId('event-closed').count()).toBe(1)
    // A closed case takes no more evidence.
    expect(await page.getByTestId('evidence-form').count()).toBe(0)
  })

  it('refuses the case pages to the wrong roles', async () => {
    const admin = await as('partner.admin')
    expect((await admin.goto(at(`/partner/cases/${caseCode}`)))?.status()).toBe(404)
    expect((await admin.goto(at(`/bureau/cases/${caseCode}`)))?.status()).toBe(403)
    const unit = await as('scjg')
    expect((await unit.goto(at(`/operator/cases/${caseCode}`)))?.status()).toBe(403)
  })
})
