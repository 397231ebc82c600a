import { fromLocal, shiftMonth as addMonths } from '#platform/calendar/shanghai-calendar.ts'

/** A report period: a year `2026`, a quarter `2026-Q3` or a month `2026-10`, in Asia/Shanghai. */
export interface ReportPeriod {
  text: string
  labelZh: string
  labelEn: string
  year: number
  /** The months it covers, 'YYYY-MM', oldest first. */
  months: string[]
  /** First day, 'YYYY-MM-DD' (inclusive). */
  startDate: string
  /** Day after the last, 'YYYY-MM-DD' (exclusive). */
  endDate: string
  startMs: number
  endMs: number
}

const REPORT_PERIOD_PATTERN = /^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$/

export function parseReportPeriod(text: string): ReportPeriod | null {
  const m = REPORT_PERIOD_PATTERN.exec(text)
  if (!m) return null
  const year = Number(m[1])
  if (year < 1990 || year > 2100) return null
  const firstMonth = m[2] ? Number(m[2]) : m[3] ? (Number(m[3]) - 1) * 3 + 1 : 1
  const first = `${m[1]}-${String(firstMonth).padStart(2, '0')}`
  const count = m[2] ? 1 : m[3] ? 3 : 12
  const months = Array.from({ length: count }, (_, i) => addMonths(first, i))
  const startDate = `${first}-01`
  const endDate = `${addMonths(first, count)}-01`
  const labelZh = m[2] ? `${year}年${Number(m[2])}月` : m[3] ? `${year}年第${m[3]}季度` : `${year}年`
  const labelEn = m[2] ? `${months[0]}` : m[3] ? `${year} Q${m[3]}` : `${year}`
  return {
    text,
    labelZh,
    labelEn,
    year,
    months,
    startDate,
    endDate,
    startMs: fromLocal(year, firstMonth),
    // Month 13 rolls over to January of the next year.
    endMs: fromLocal(year, firstMonth + count),
  }
}
