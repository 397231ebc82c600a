import { formatMonth, parseMonth } from '#platform/calendar/shanghai-calendar.ts'

// A billing period is a calendar month of the city (Asia/Shanghai): [its first day's midnight, the next month's
// first midnight), in epoch milliseconds.

export interface BillingPeriod {
  /** YYYY-MM */
  period: string
  start: number
  end: number
}

export function isPeriodText(text: string): boolean {
  return parseMonth(text) !== null
}

/** "2026-10" → its bounds; null when the text is not YYYY-MM. */
export function parsePeriod(text: string): BillingPeriod | null {
  const bounds = parseMonth(text)
  return bounds && { period: text, ...bounds }
}

/** The period an instant falls in. */
export function periodOf(at: number): BillingPeriod {
  return parsePeriod(formatMonth(at))!
}

export function nextPeriod(p: BillingPeriod): BillingPeriod {
  return periodOf(p.end)
}

export function previousPeriod(p: BillingPeriod): BillingPeriod {
  return periodOf(p.start - 1)
}

/** Whole months from a to b (b − a), e.g. 2026-01 → 2027-01 = 12. */
export function monthsBetween(a: BillingPeriod, b: BillingPeriod): number {
  const [ay, am] = a.period.split('-').map(Number) as [number, number]
  const [by, bm] = b.period.split('-').map(Number) as [number, number]
  return (by - ay) * 12 + (bm - am)
}
