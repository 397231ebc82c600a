import type { DistrictEconomyReport } from './collect-district-economy.ts'

const BOM = '\uFEFF'

const cell = (value: string | number | null): string => {
  const text = value === null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The report as CSV, UTF-8 with a byte-order mark (so spreadsheet software reads the Chinese right), CRLF line ends.
 * One row per figure; a withheld figure has an empty value and `suppressed` = true. Amounts stay in integer fen.
 */
export function renderReportCsv(report: DistrictEconomyReport): Buffer {
  const lines: string[] = [
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
    ].join(','),
  ]
  for (const s of report.sections) {
    for (const r of s.rows) {
      lines.push(
        [
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
        ]
          .map((v) => cell(typeof v === 'boolean' ? String(v) : v))
          .join(','),
      )
    }
  }
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8')
}
