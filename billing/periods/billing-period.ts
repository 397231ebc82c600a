// Billing periods are calendar months in Asia/Shanghai (UTC+8, no DST since 1991): a period is
// [first day 00:00 +08:00, first day of the next month 00:00 +08:00), in epoch milliseconds.

const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const PERIOD_TEXT = /^(\d{4})-(0[1-9]|1[0-2])$/

export interface BillingPeriod {
  /** YYYY-MM */
  period: string
  start: number
  end: number
}

export function isPeriodText(text: string): boolean {
  return PERIOD_TEXT.test(text)
}

/** "2026-10" → its bounds; null when the text is not YYYY-MM. */
export function parsePeriod(text: string): BillingPeriod | null {
  const match = PERIOD_TEXT.exec(text)
  if (!match) return null
  const year = Number(match[1])
  const month = Number(match[2])
  return {
    period: text,
    start: Date.UTC(year, month - 1, 1) - SHANGHAI_OFFSET_MS,
    end: Date.UTC(year, month, 1) - SHANGHAI_OFFSET_MS,
  }
}

/** The period an instant falls in. */
export function periodOf(at: number): BillingPeriod {
  const d = new Date(at + SHANGHAI_OFFSET_MS)
  return parsePeriod(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`)!
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

/** "2026-11-28" (a Shanghai calendar day) → its 00:00 +08:00 in epoch ms; null when invalid. */
export function shanghaiDayStart(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim())
  if (!match) return null
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const utc = Date.UTC(y, m - 1, d)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null
  return utc - SHANGHAI_OFFSET_MS
}

/** Epoch ms → "2026-11-28" on the Shanghai calendar. */
export function shanghaiDay(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** The Shanghai calendar year of an instant (invoice numbering restarts each year). */
export function shanghaiYear(at: number): number {
  return new Date(at + SHANGHAI_OFFSET_MS).getUTCFullYear()
}

/** The start of the Shanghai calendar day containing `at`. */
export function startOfShanghaiDay(at: number): number {
  return shanghaiDayStart(shanghaiDay(at))!
}
