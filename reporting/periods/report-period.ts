import { formatMonth, fromLocal, localParts, shiftMonth } from '#platform/calendar/shanghai-calendar.ts'

// A report period is an Asia/Shanghai calendar quarter (`2026-Q3`) or year (`2026`): [its first midnight, the next
// period's first midnight), in epoch milliseconds. The calendar's arithmetic is platform/calendar's (ADR 0022).

export interface ReportPeriod {
  /** `2026-Q3` or `2026`. */
  period: string
  kind: 'quarterly' | 'annual'
  start: number
  end: number
  /** The calendar months it covers, `YYYY-MM` (billing periods, compensation statements). */
  months: string[]
}

const QUARTER = /^(\d{4})-Q([1-4])$/
const YEAR = /^(\d{4})$/
/** Years a report can be about: the platform's records start in the 2020s; far years are typing mistakes. */
const FIRST_YEAR = 2000
const LAST_YEAR = 2100

/** `2026-Q3` / `2026` → the period; null for anything else (`2026-Q5`, `2026-07`, ` 2026`, `1999`). */
export function parseReportPeriod(text: string): ReportPeriod | null {
  if (typeof text !== 'string' || text.length > 7) return null
  const q = QUARTER.exec(text)
  const y = q ? null : YEAR.exec(text)
  const year = Number((q ?? y)?.[1])
  if (!(q || y) || year < FIRST_YEAR || year > LAST_YEAR) return null
  const firstMonth = q ? (Number(q[2]) - 1) * 3 + 1 : 1
  const count = q ? 3 : 12
  const start = fromLocal(year, firstMonth)
  const end = fromLocal(year, firstMonth + count)
  const first = formatMonth(start)
  return {
    period: text,
    kind: q ? 'quarterly' : 'annual',
    start,
    end,
    months: Array.from({ length: count }, (_, i) => shiftMonth(first, i)),
  }
}

/** The quarter an instant falls in (Asia/Shanghai). */
export function quarterOf(at: number): ReportPeriod {
  const { year, month } = localParts(at)
  return parseReportPeriod(`${year}-Q${Math.floor((month - 1) / 3) + 1}`)!
}

/** The quarter before the one `at` falls in: what the operator reports on next. */
export function previousQuarter(at: number): ReportPeriod {
  return quarterOf(quarterOf(at).start - 1)
}
