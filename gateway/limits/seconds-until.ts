// The city's calendar: Asia/Shanghai is UTC+8 all year (no daylight saving), so
// day and month boundaries are plain arithmetic, no time-zone database needed.
const OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** Start (epoch ms) of the Shanghai calendar day containing `now`. */
export function shanghaiDayStart(now: number): number {
  return Math.floor((now + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS
}

/** Start of the next Shanghai calendar day. */
export function shanghaiNextDayStart(now: number): number {
  return shanghaiDayStart(now) + DAY_MS
}

/** Start (epoch ms) of the Shanghai calendar month containing `now`. */
export function shanghaiMonthStart(now: number): number {
  const local = new Date(now + OFFSET_MS)
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - OFFSET_MS
}

/** Start of the next Shanghai calendar month. */
export function shanghaiNextMonthStart(now: number): number {
  const local = new Date(now + OFFSET_MS)
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - OFFSET_MS
}

/** Whole seconds from `now` until `at`, at least 1 (for Retry-After and RateLimit-Reset). */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000))
}
