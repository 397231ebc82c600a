import type { ReportRow } from './collect-district-economy.ts'

const grouped = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** ¥1,234.56 from integer fen, with integer arithmetic only (ADR 0003). */
function formatFenAsYuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = BigInt(Math.round(Math.abs(fen)))
  return `${sign}¥${grouped(String(abs / 100n))}.${String(abs % 100n).padStart(2, '0')}`
}

const UNIT_ZH: Record<ReportRow['unit'], string> = {
  count: '户',
  wan_yuan: '万元',
  fen: '',
  persons: '人',
  vehicles: '辆',
  km_h: 'km/h',
  visits: '人次',
  claims: '笔',
  segments: '条',
}

/** A figure as the PDF shows it; a withheld one as `< k`. */
export function formatReportValue(row: ReportRow, k: number): string {
  if (row.value === null) return `< ${k}（不予披露）`
  if (row.unit === 'fen') return formatFenAsYuan(row.value)
  const number = Number.isInteger(row.value) ? grouped(String(row.value)) : String(row.value)
  return `${number} ${UNIT_ZH[row.unit]}`.trim()
}
