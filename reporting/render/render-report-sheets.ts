import ExcelJS from 'exceljs'
import { renderCsv } from '#platform/csv/csv-cell.ts'
import { figureLabel, SECTION_LABELS } from '../figures/figure-labels.ts'
import type { ReportFigures } from '../figures/figure-types.ts'

// The figures as a spreadsheet (XLSX through exceljs) and as CSV: one row per figure and per breakdown row, money in
// fen (integers, exact) beside yuan, so a reader can add them up again.

export const SHEET_COLUMNS = ['section', 'figure', 'figure_zh', 'row_key', 'row_label', 'value', 'unit', 'note'] as const

export type SheetRow = Record<(typeof SHEET_COLUMNS)[number], string | number>

export function reportSheetRows(f: ReportFigures): SheetRow[] {
  const rows: SheetRow[] = []
  for (const section of f.sections)
    for (const fig of section.figures) {
      const base = { section: section.key, figure: fig.key, figure_zh: figureLabel(fig.key), unit: fig.unit }
      rows.push({ ...base, row_key: '', row_label: '', value: fig.value, note: '' })
      for (const r of fig.rows ?? [])
        rows.push({ ...base, row_key: r.key, row_label: r.label, value: r.value, note: r.note ?? '' })
    }
  return rows
}

// The same guard as every CSV of the platform (platform/csv/csv-cell.ts, ADR 0015) for the XLSX's text cells: a name
// that a spreadsheet would run as a formula is kept as text with a leading quote.
const FORMULA_START = /^[ \u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/
const safeText = (v: string) => (FORMULA_START.test(v) ? `'${v}` : v)

/** The figures as CSV: BOM, CRLF, formula-safe cells (the platform's one CSV writer). */
export function renderReportCsv(f: ReportFigures): string {
  return renderCsv([SHEET_COLUMNS, ...reportSheetRows(f).map((r) => SHEET_COLUMNS.map((c) => r[c]))])
}

export async function renderReportXlsx(f: ReportFigures, meta: { version: number; state: string }): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  book.creator = 'Shenyang Public Data Authorized Operation Platform'
  const about = book.addWorksheet('报告 Report')
  about.addRows([
    ['期间 Period', f.period],
    ['起 From', f.from],
    ['止 To', f.to],
    ['版本 Version', meta.version],
    ['状态 State', meta.state],
    ['数据截至 Figures as of', f.generatedAt],
  ])
  about.getColumn(1).width = 24
  about.getColumn(2).width = 30
  for (const section of f.sections) {
    const sheet = book.addWorksheet(`${SECTION_LABELS[section.key].zh} ${section.key}`.slice(0, 31))
    sheet.columns = SHEET_COLUMNS.map((c) => ({ header: c, key: c, width: c === 'row_label' || c === 'figure_zh' ? 32 : 18 }))
    for (const row of reportSheetRows({ ...f, sections: [section] }))
      sheet.addRow({ ...row, row_label: safeText(String(row.row_label)), note: safeText(String(row.note)) })
    sheet.getRow(1).font = { bold: true }
  }
  return Buffer.from(await book.xlsx.writeBuffer())
}
