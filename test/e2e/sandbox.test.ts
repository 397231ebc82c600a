import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
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
})
