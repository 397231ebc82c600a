import { formatIso, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { parse } from 'csv-parse/sync'
import type { ReportFigures } from '../figures/figure-types.ts'
import { renderReportCharts } from './report-charts.ts'
import { renderReportPdf } from './render-report-pdf.ts'
import { renderReportCsv, renderReportXlsx, reportSheetRows } from './render-report-sheets.ts'

const HOSTILE = '=HYPERLINK("http://evil")<script>alert(1)</script>'

const figures: ReportFigures = {
  format: 1,
  period: '2026-Q3',
  kind: 'quarterly',
  from: '2026-07-01',
  to: '2026-09-30',
  generatedAt: formatIso(fromLocal(2026, 10, 8, 10)),
  sections: [
    {
      key: 'storage',
      figures: [
        { key: 'datasets_fresh', unit: 'count', value: 3 },
        { key: 'datasets_stale', unit: 'count', value: 1 },
      ],
    },
    {
      key: 'interaction',
      figures: [
        {
          key: 'calls_by_month',
          unit: 'count',
          value: 12,
          rows: [
            { key: '2026-07', label: '2026-07', value: 5 },
            { key: '2026-08', label: '2026-08', value: 0 },
            { key: '2026-09', label: '2026-09', value: 7 },
          ],
        },
        {
          key: 'calls_by_partner',
          unit: 'count',
          value: 12,
          rows: [
            { key: 'p1', label: HOSTILE, value: 9 },
            { key: 'p2', label: '沈阳惠民服务中心', value: 3 },
            { key: 'p3', label: '<img src=x>', value: 0 },
          ],
        },
      ],
    },
    { key: 'processing', figures: [{ key: 'fields_masked', unit: 'count', value: 40 }] },
    { key: 'fusion', figures: [{ key: 'calls_combining_datasets', unit: 'count', value: 2 }] },
    {
      key: 'market',
      figures: [
        {
          key: 'revenue_charged_fen',
          unit: 'fen',
          value: 12345,
          rows: [
            { key: '2026-07', label: '2026-07', value: 12345 },
            { key: '2026-08', label: '2026-08', value: 0 },
            { key: '2026-09', label: '2026-09', value: 0 },
          ],
        },
        {
          key: 'revenue_waived_fen',
          unit: 'fen',
          value: 500,
          rows: [
            { key: '2026-07', label: '2026-07', value: 0 },
            { key: '2026-08', label: '2026-08', value: 500 },
            { key: '2026-09', label: '2026-09', value: 0 },
          ],
        },
        { key: 'public_interest_call_share', unit: 'ratio', value: 0.25 },
      ],
    },
  ],
}

describe('operation report renderings', () => {
  it('charts: SVG drawn on the server, every name escaped', () => {
    const charts = renderReportCharts(figures)
    expect(charts.map((c) => c.key)).toEqual([
      'freshness_by_dataset',
      'calls_by_month',
      'calls_by_partner',
      'revenue_charged_fen',
    ])
    for (const c of charts) expect(c.svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    const partners = charts.find((c) => c.key === 'calls_by_partner')!.svg
    expect(partners).not.toContain('<img')
    expect(partners).toContain('&lt;img src=x&gt;')
    expect(partners).toContain('沈阳惠民服务中心')
  })

  it('PDF: a PDF with the Chinese font embedded', async () => {
    const pdf = await renderReportPdf({
      figures,
      narrative: { summary: '本季度运行平稳。\n第二行', market: HOSTILE },
      version: 2,
      state: 'submitted',
      submittedAt: Date.UTC(2026, 9, 8),
      bureauComment: null,
    })
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const text = pdf.toString('latin1')
    expect(text).toMatch(/\/FontFile2/)
    expect(text).toMatch(/NotoSansSC/)
  })

  it('XLSX: reopened by exceljs, one sheet per section, the figures as numbers; formula-like names stay text', async () => {
    const xlsx = await renderReportXlsx(figures, { version: 1, state: 'draft' })
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(xlsx as unknown as ArrayBuffer)
    expect(book.worksheets.map((w) => w.name)).toEqual([
      '报告 Report',
      '授权存储 storage',
      '数据交互 interaction',
      '数据加工 processing',
      '融合应用 fusion',
      '市场运营 market',
    ])
    const market = book.getWorksheet('市场运营 market')!
    expect(market.getRow(2).getCell(2).value).toBe('revenue_charged_fen')
    expect(market.getRow(2).getCell(6).value).toBe(12345)
    const interaction = book.getWorksheet('数据交互 interaction')!
    const labels: unknown[] = []
    interaction.eachRow((row) => labels.push(row.getCell(5).value))
    expect(labels).toContain(`'${HOSTILE}`)
    for (const w of book.worksheets) w.eachRow((row) => row.eachCell((cell) => expect(cell.formula).toBeUndefined()))
  })

  it('CSV: parses back to the same rows; the hostile name is neutralised', () => {
    const csv = renderReportCsv(figures)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const rows = parse(csv.slice(1), { columns: true }) as Record<string, string>[]
    expect(rows).toHaveLength(reportSheetRows(figures).length)
    expect(rows.find((r) => r.figure === 'revenue_charged_fen' && r.row_key === '')?.value).toBe('12345')
    expect(rows.find((r) => r.row_key === 'p1')?.row_label).toBe(`'${HOSTILE}`)
  })
})
