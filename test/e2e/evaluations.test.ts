import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { evaluations, evaluationSubjects, sourceUnits } from '#db/schema/index.ts'
import { DEFAULT_SCHEMES } from '#evaluation/schemes/default-schemes.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

// One lean pass (ADR 0034): the bureau opens an evaluation of the source units, market regulation assesses itself with
// evidence, the bureau scores and publishes, the unit sees its result.
describe('evaluations in the browser', () => {
  let browser: Browser
  let platform: PlatformHarness
  const pages: Record<string, { context: BrowserContext; page: Page }> = {}
  let code = ''
  let subjectId = ''

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
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
      page.on('dialog', (d) => void d.accept())
      await signIn(page, platform.url, username)
      pages[username] = { context, page }
    }
    return pages[username]!.page
  }

  it('the bureau opens an evaluation of the source units', async () => {
    const page = await as('bureau')
    await page.goto(at('/bureau/evaluations'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('evaluation-open-form')
    await form.locator('input[name=title]').fill('数源单位年度评估（浏览器测试）')
    await page.getByTestId('evaluation-kind-operator').uncheck()
    await page.getByTestId('evaluation-kind-partner').uncheck()
    await Promise.all([page.waitForURL((u) => u.searchParams.has('opened')), page.getByTestId('evaluation-open-submit').click()])
    code = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
    expect(code).toMatch(/^PG-\d{4}-\d{4}$/)
    await page.getByTestId('subject-market-regulation').waitFor()
    const [row] = await platform.database.db
      .select({ id: evaluationSubjects.id })
      .from(evaluationSubjects)
      .innerJoin(evaluations, eq(evaluations.id, evaluationSubjects.evaluationId))
      .innerJoin(sourceUnits, eq(sourceUnits.id, evaluationSubjects.sourceUnitId))
      .where(and(eq(evaluations.code, code), eq(sourceUnits.code, 'market-regulation')))
    subjectId = row!.id
  })

  it('the source unit submits its self-assessment and a PDF as evidence', async () => {
    const page = await as('scjg')
    await page.goto(at('/source-unit/evaluations'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const section = page.getByTestId('self-assessment-form').first()
    for (const c of DEFAULT_SCHEMES.source_unit.criteria)
      await section.locator(`textarea[name="text.${c.key}"]`).fill(`${c.nameZh}：按期完成。`)
    await Promise.all([
      page.waitForURL((u) => u.searchParams.has('submitted')),
      section.getByTestId('self-assessment-submit').click(),
    ])
    await page.getByTestId('self-assessment-done').waitFor()
    const upload = page.getByTestId('evaluation-evidence-form').first()
    await upload
      .getByTestId('evaluation-evidence-file')
      .setInputFiles({ name: '自评佐证.pdf', mimeType: 'application/pdf', buffer: PDF })
    await upload.getByTestId('evaluation-evidence-submit').click()
    await page.getByTestId('evaluation-evidence-done').waitFor()
    await page.getByTestId(`evaluation-subject-${subjectId}`).getByTestId('evaluation-evidence').waitFor()
  })

  it('the bureau scores and publishes; the source unit sees its result and incentive basis', async () => {
    const page = await as('bureau')
    await page.goto(at(`/bureau/evaluations/${code}?subject=${subjectId}`))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    expect(await page.getByTestId('evaluation-self-assessment').textContent()).toContain('按期完成')
    const form = page.getByTestId('score-form')
    for (const c of DEFAULT_SCHEMES.source_unit.criteria) await form.getByTestId(`score-${c.key}`).fill('80')
    await Promise.all([page.waitForURL((u) => u.searchParams.has('scored')), page.getByTestId('score-submit').click()])
    await Promise.all([page.waitForURL((u) => u.searchParams.has('published')), page.getByTestId('publish-submit').click()])
    await page.getByTestId('evaluation-published').waitFor()

    const unit = await as('scjg')
    await unit.goto(at('/source-unit/evaluations'))
    await expectNoSeriousAxeViolations(unit)
    const result = unit.getByTestId(`evaluation-subject-${subjectId}`)
    expect(await result.getByTestId('evaluation-total').textContent()).toBe('80.00')
    expect(await result.getByTestId('evaluation-passed').textContent()).toBe('合格')
    expect(await result.getByTestId('evaluation-incentive').textContent()).toContain('审批次数')
  })
})
