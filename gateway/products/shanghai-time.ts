// Asia/Shanghai has had no daylight-saving time since 1991: local time is UTC + 8 h.
export const SHANGHAI_OFFSET_MS = 8 * 3600_000
export const HOUR_MS = 3600_000
export const DAY_MS = 24 * HOUR_MS

/** `2026-10-30T08:00:00+08:00` for an instant. */
export function toShanghaiIso(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19) + '+08:00'
}

/** The instant of local midnight starting `YYYY-MM-DD` in Shanghai. */
export function shanghaiMidnight(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS
}

/** Start of the local day containing `ms`. */
export function startOfShanghaiDay(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/

/** A date (local midnight) or a date-time with an explicit offset; null when it is neither or not a real instant. */
export function parseInstant(text: string): number | null {
  const date = DATE.exec(text)
  if (date) {
    const ms = shanghaiMidnight(text)
    // Reject 2026-02-31 and the like: the date must survive the round trip.
    return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10) === text ? ms : null
  }
  if (!DATE_TIME.test(text)) return null
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? ms : null
}
