// Art. 17: an authorization runs at most 3 years. "3 years" is calendar-exact in
// Asia/Shanghai: 2026-03-15 10:00 may run until 2029-03-15 10:00 (local), and a
// term starting on 29 February ends at the latest on 28 February.

export const MAX_TERM_MONTHS = 36
const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** `ms` moved by `months` calendar months in Asia/Shanghai, same local time of day; the day is clamped to the month's end. */
export function addCalendarMonths(ms: number, months: number): number {
  const local = new Date(ms + SHANGHAI_OFFSET_MS)
  const y = local.getUTCFullYear()
  const m = local.getUTCMonth() + months
  const targetYear = y + Math.floor(m / 12)
  const targetMonth = ((m % 12) + 12) % 12
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate()
  const day = Math.min(local.getUTCDate(), lastDay)
  const shifted = Date.UTC(
    targetYear,
    targetMonth,
    day,
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    local.getUTCMilliseconds(),
  )
  return shifted - SHANGHAI_OFFSET_MS
}

/** The latest end a term starting at `startsAt` may have. */
export const latestEnd = (startsAt: number) => addCalendarMonths(startsAt, MAX_TERM_MONTHS)

export const isWithinMaxTerm = (startsAt: number, endsAt: number) => endsAt <= latestEnd(startsAt)

/** 'YYYY-MM-DD' (Asia/Shanghai) → the epoch ms of that day's local midnight; null when not a real date. */
export function shanghaiMidnight(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null
  return utc - SHANGHAI_OFFSET_MS
}

/** The Asia/Shanghai calendar date of an instant, 'YYYY-MM-DD'. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}
