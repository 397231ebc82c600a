import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { quarterOf } from '#reporting/periods/report-period.ts'

// Operation reports in the browser (Art. 25; ADR 0035): the operator generates a quarter's report and submits it, the
// bureau returns it with a comment, the operator revises it as version 2 and resubmits, the bureau acknowledges. On the
// way: a hostile period answered beside its field, the three downloads opened, charts on the page.

// The running quarter: the demo's datasets and authorizations are in it (the seeded report is last quarter's).
const PERIOD = quarterOf(Date.now()).period

describe('an operation report: generated, submitted, returned, revised, acknowledged', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  async function asUser<T>(username: string, fn: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      // The irreversible buttons ask first (ConfirmButton): yes.
      page.on('dialog', (dialog) => void dialog.accept())
      await signIn(page, platform.url, username)
      return await fn(page)
    } finally {
      await context.close()
    }
  }

  it('goes round once and is kept in two versions', async () => {
    await asUser('operator', async (page) => {
      await page.goto(at('/operator/reports'))
      await waitForHydration(page)
      await page.locator('input[name=period]').fill('<script>')
      await page.getByTestId('generate-report').click()
      await expect.poll(() => page.getByTestId('period-error').textContent()).toContain('2026-Q3')
      await page.locator('input[name=period]').fill(PERIOD)
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/operator/reports/${PERIOD}`),
        page.getByTestId('generate-report').click(),
      ])
      await waitForHydration(page)
      await page.getByTestId('report-state').filter({ hasText: '草稿' }).first().waitFor()
      // The freshness of the demo's authorized datasets, drawn on the server as SVG.
      expect(await page.getByTestId('chart-freshness_by_dataset').locator('svg').count()).toBe(1)
      await expectNoSeriousAxeViolations(page)
      await page.getByTestId('narrative-summary').fill('一季度平台运行平稳。')
      await Promise.all([page.waitForURL((u) => u.searchParams.get('saved') === '1'), page.getByTestId('save-narrative').click()])
      await waitForHydration(page)
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('submitted') === '1'),
        page.getByTestId('submit-report').click(),
      ])
      await page.getByTestId('report-state').filter({ hasText: '已报送' }).first().waitFor()

      // The downloads of version 1.
      const pdf = await page.request.get(at(`/reports/${PERIOD}/download?format=pdf&version=1`))
      expect(pdf.headers()['content-type']).toBe('application/pdf')
      const pdfBytes = await pdf.body()
      expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
      expect(pdfBytes.toString('latin1')).toMatch(/NotoSansSC/)
      const xlsx = await page.request.get(at(`/reports/${PERIOD}/download?format=xlsx&version=1`))
      const book = new ExcelJS.Workbook()
      await book.xlsx.load((await xlsx.body()) as unknown as ArrayBuffer)
      expect(book.worksheets).toHaveLength(6)
      expect(book.getWorksheet('报告 Report')!.getRow(1).getCell(2).value).toBe(PERIOD)
      const csv = await page.request.get(at(`/reports/${PERIOD}/download?format=csv&version=1`))
      const rows = parse((await csv.text()).replace(/^\uFEFF/, ''), { columns: true }) as { section: string; figure: string }[]
      expect(new Set(rows.map((r) => r.section))).toEqual(new Set(['storage', 'interaction', 'processing', 'fusion', 'market']))
    })

    await asUser('bureau', async (page) => {
      await page.goto(at('/bureau/reports'))
      await page.getByTestId(`report-row-${PERIOD}`).locator('a').click()
      await page.waitForURL((u) => u.pathname === `/bureau/reports/${PERIOD}`)
      await waitForHydration(page)
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('narrative-summary').textContent()).toBe('一季度平台运行平稳。')
      await page.getByTestId('return-report').click()
      await expect.poll(() => page.getByTestId('comment-error').textContent()).toBe('请填写此项')
      await page.getByTestId('bureau-comment-input').fill('请补充公益服务情况。')
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('decided') === 'returned'),
        page.getByTestId('return-report').click(),
      ])
      await page.getByTestId('report-state').filter({ hasText: '已退回' }).first().waitFor()
    })

    await asUser('operator', async (page) => {
      await page.goto(at(`/operator/reports/${PERIOD}`))
      await waitForHydration(page)
      expect(await page.getByTestId('bureau-comment').textContent()).toContain('请补充公益服务情况。')
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('generated') === '2'),
        page.getByTestId('regenerate-report').click(),
      ])
      await waitForHydration(page)
      // The narrative came along into version 2; revise it and resubmit.
      await page.getByTestId('narrative-market').fill('公益用途调用全部免费。')
      await Promise.all([page.waitForURL((u) => u.searchParams.get('saved') === '1'), page.getByTestId('save-narrative').click()])
      await waitForHydration(page)
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('submitted') === '2'),
        page.getByTestId('submit-report').click(),
      ])
    })

    await asUser('bureau', async (page) => {
      await page.goto(at(`/bureau/reports/${PERIOD}`))
      await waitForHydration(page)
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('decided') === 'acknowledged'),
        page.getByTestId('acknowledge-report').click(),
      ])
      // The page re-renders after the redirect's data: wait for the new state rather than read it at once.
      await page.getByTestId('report-state').filter({ hasText: '已确认' }).first().waitFor()
      expect(await page.getByTestId('report-version-1').textContent()).toContain('请补充公益服务情况。')
      expect(await page.getByTestId('report-version-2').textContent()).toContain('已确认')
    })
  })
})
