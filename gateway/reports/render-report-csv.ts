import { renderCsv, type CsvValue } from '#platform/csv/csv-cell.ts'
import type { DistrictEconomyReport } from './collect-district-economy.ts'

/**
 * The report as CSV, UTF-8 with a byte-order mark (so spreadsheet software reads the Chinese right), CRLF line ends.
 * One row per figure; a withheld figure has an empty value and `suppressed` = true. Amounts stay in integer fen. Text
 * that a spreadsheet would run as a formula is neutralised (platform/csv/csv-cell.ts).
 */
export function renderReportCsv(report: DistrictEconomyReport): Buffer {
  const rows: CsvValue[][] = [
    [
      'district_code',
      'district',
      'period',
      'section',
      'section_zh',
      'dataset',
      'level',
      'item_zh',
      'item_en',
      'value',
      'unit',
      'suppressed',
    ],
  ]
  for (const s of report.sections) {
    for (const r of s.rows) {
      rows.push([
        report.district.code,
        report.district.zh,
        report.period.text,
        s.key,
        s.titleZh,
        s.datasetCode,
        s.level,
        r.labelZh,
        r.labelEn,
        r.value,
        r.unit,
        r.value === null,
      ])
    }
  }
  return Buffer.from(renderCsv(rows), 'utf8')
}
