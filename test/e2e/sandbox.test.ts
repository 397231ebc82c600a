import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, gt } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { usageEvents } from '#db/schema/index.ts'
import { followNavLink } from '#test/support/nav.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { demoApiKey } from '#test/support/demo-credentials.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

// The developer's sandbox page (ADR 0038): build a query joining the registry to the tax ratings, run it through the
// metered API with the pasted key, read the disclosed table; then a noised run draws on the budget shown.
describe('developer: data sandbox page', () => {
  let browser: Browser
  let platform: PlatformHarness
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    await signIn(page, platform.url, 'partner.dev')
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await platform?.stop()
  })

  it('builds a query, runs it, shows the result table, refusals in words, and the budget drawn', async () => {
    await page.goto(new URL('/developer/sandbox', platform.url).href)
    await waitForHydration(page)
    await expect(page.getByTestId('sandbox-budget').textContent()).resolves.toMatch(/5/)

    // Without a key nothing is sent.
    await page.getByTestId('sandbox-run').click()
    await expect(page.getByTestId('sandbox-failure').getAttribute('data-code')).resolves.toBe('missing_key')

    await page.getByTestId('sandbox-key').fill(demoApiKey)
    await page.getByTestId('sandbox-from').selectOption('DS-SCJG-0001')
    await page.getByTestId('sandbox-join').selectOption('DS-SW-0001')
    await page
      .getByTestId('sandbox-group-by')
      .getByLabel(/DS-SCJG-0001\.district_code/)
      .check()
    await page
      .getByTestId('sandbox-group-by')
      .getByLabel(/DS-SW-0001\.rating/)
      .check()
    await page.getByTestId('sandbox-add-aggregate').click()
    const second = page.getByTestId('sandbox-aggregate-1')
    await second.locator('select').first().selectOption('avg')
    await page.getByTestId('sandbox-run').click()
    const table = page.getByTestId('sandbox-result-table')
    await table.waitFor({ timeout: 60_000 })
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0)
    await expect(page.getByTestId('sandbox-result-summary').textContent()).resolves.toContain('k = 20')
    // The job is listed among the latest.
    await page.getByTestId('sandbox-jobs').waitFor()
    await expectNoSeriousAxeViolations(page)

    // A value that is not of the field's form is marked next to its filter.
    await page.getByTestId('sandbox-add-filter').click()
    const filter = page.getByTestId('sandbox-filter-0')
    await filter.locator('select').first().selectOption('DS-SCJG-0001.status')
    await filter.getByRole('textbox').fill("active' OR 1=1")
    await page.getByTestId('sandbox-run').click()
    await page.getByTestId('error-filters.0.value').waitFor({ timeout: 60_000 })
    await expect(page.getByTestId('sandbox-failure').getAttribute('data-code')).resolves.toBe('validation_failed')

    // A noised run: ε drawn from the month's budget, shown at once.
    await filter.getByRole('textbox').fill('active')
    await page.getByTestId('sandbox-epsilon').fill('0.5')
    await page.getByTestId('sandbox-run').click()
    await page.getByTestId('sandbox-result-table').waitFor({ timeout: 60_000 })
    await page.waitForFunction(() => document.querySelector('[data-testid="sandbox-budget"]')?.textContent?.includes('4.5'))
  })

  // Reviewed result export (issue 13): the developer asks, the operator approves on the review page, the developer
  // downloads the watermarked file through the metered API, and the download is one usage event of its bytes.
  it('asks for an export, the operator approves it, the developer downloads the watermarked, metered file', async () => {
    await page.goto(new URL('/developer/sandbox', platform.url).href)
    await waitForHydration(page)
    await page.getByTestId('sandbox-key').fill(demoApiKey)
    await page.getByTestId('sandbox-from').selectOption('DS-SCJG-0001')
    await page
      .getByTestId('sandbox-group-by')
      .getByLabel(/DS-SCJG-0001\.industry/)
      .check()
    const ran = page.waitForResponse((r) => r.url().endsWith('/api/v1/sandbox/jobs') && r.request().method() === 'POST')
    await page.getByTestId('sandbox-run').click()
    const jobId = ((await (await ran).json()) as { jobId: string }).jobId
    await page.getByTestId('sandbox-result-table').waitFor({ timeout: 60_000 })
    await page.getByTestId(`sandbox-request-export-${jobId}`).first().click()
    await page.getByTestId('sandbox-export-requested').waitFor({ timeout: 60_000 })
    const row = page.getByTestId(`sandbox-export-${jobId}`)
    await expect(row.getAttribute('data-state')).resolves.toBe('pending')
    await expectNoSeriousAxeViolations(page)

    const operator = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const op = await operator.newPage()
    try {
      await signIn(op, platform.url, 'operator')
      await waitForHydration(op)
      await followNavLink(op, '沙箱导出审核')
      await op.waitForURL((u) => u.pathname === '/operator/sandbox-exports')
      await waitForHydration(op)
      const card = op.locator('[data-testid^="export-review-"]', { hasText: jobId })
      await expect(card.getByTestId('export-query').textContent()).resolves.toContain('DS-SCJG-0001.industry')
      await expectNoSeriousAxeViolations(op)
      op.once('dialog', (dialog) => void dialog.accept())
      await card.getByTestId('export-approve').click()
      await op.getByTestId('export-review-done').waitFor({ timeout: 60_000 })
      await op.getByTestId('export-decided').getByText(jobId.slice(0, 8)).waitFor()
    } catch (error) {
      await operator.close()
      throw error
    }

    await page.goto(new URL('/developer/sandbox', platform.url).href)
    await waitForHydration(page)
    await page.getByTestId(`sandbox-export-${jobId}`).and(page.locator('[data-state="approved"]')).waitFor()
    await page.getByTestId('sandbox-key').fill(demoApiKey)
    const since = Date.now() - 1000
    const downloading = page.waitForEvent('download', { timeout: 60_000 })
    await page.getByTestId(`sandbox-download-${jobId}`).click()
    const file = await readFile((await (await downloading).path())!)
    const text = file.toString('utf8')
    expect(text).toContain('# 合作方 partner: 沈阳盛京智能科技有限公司')
    expect(text).toContain(`# 作业 job: ${jobId}`)
    expect(text).toMatch(/# 指纹 fingerprint: [0-9a-f]{32}/)
    await page.getByTestId('sandbox-downloaded').waitFor()
    await expectNoSeriousAxeViolations(page)
    // One usage event of the download, with export_bytes = the file's bytes (metering is flushed in the background).
    const metered = async () =>
      platform.database.db
        .select({ exportBytes: usageEvents.exportBytes })
        .from(usageEvents)
        .where(and(eq(usageEvents.operation, 'downloadSandboxExport'), gt(usageEvents.at, since)))
    await expect.poll(metered, { timeout: 30_000, interval: 250 }).toEqual([{ exportBytes: file.length }])

    // The operator traces the copy back to this download by the fingerprint printed in it.
    try {
      const fingerprint = /# 指纹 fingerprint: ([0-9a-f]{32})/.exec(text)![1]!
      await op.getByTestId('export-fingerprint').fill(fingerprint)
      await op.getByTestId('export-trace-submit').click()
      await expect(op.getByTestId('export-traced').textContent({ timeout: 60_000 })).resolves.toContain(jobId)
    } finally {
      await operator.close()
    }
  })
})
