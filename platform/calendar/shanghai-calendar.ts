// The city's calendar. Every day, month and year boundary, every local date shown or parsed, every SQL bucket by
// day is Asia/Shanghai, and this module is the only place that knows how: Shanghai has kept UTC+8 all year since
// 1991 (no daylight saving), so boundaries are exact arithmetic on one offset, with no time-zone database on the
// metered call's path (ADR 0022). A test (`offset-only-here.test.ts`) forbids the offset anywhere else.

/** UTC+8, the only place it is written. */
const OFFSET_MS = 8 * 3_600_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
/** The offset in seconds: for SQL that buckets epoch seconds (`calendar-sql.ts`), and to read a wall-clock time given at another offset. */
export const OFFSET_SECONDS = OFFSET_MS / 1000

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))
const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/
const MONTH_TEXT = /^(\d{4})-(0[1-9]|1[0-2])$/
const DATE_TIME_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/

/** A wall-clock time in Shanghai. `month` is 1–12; `weekday` 0 (Sunday) – 6. */
export interface LocalParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
  weekday: number
}

/** The Shanghai wall-clock time of an instant. */
export function localParts(ms: number): LocalParts {
  const d = new Date(ms + OFFSET_MS)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  }
}

/** The instant of a Shanghai wall-clock time (`month` 1–12; out-of-range parts roll over as in `Date.UTC`). */
export function fromLocal(year: number, month: number, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0): number {
  if (year >= 0 && year < 100) {
    // Date.UTC reads the years 0–99 as 1900–1999; setUTCFullYear takes them as they are.
    const d = new Date(0)
    d.setUTCFullYear(year, month - 1, day)
    return d.setUTCHours(hour, minute, second, millisecond) - OFFSET_MS
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - OFFSET_MS
}

// --- Boundaries of an instant's day, month and year ---------------------------------------------------------------

/** Start of the Shanghai day containing `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor((ms + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS
}

/** Start of the Shanghai day after the one containing `ms`. */
export function startOfNextDay(ms: number): number {
  return startOfDay(ms) + DAY_MS
}

/** Start of the Shanghai month containing `ms`. */
export function startOfMonth(ms: number): number {
  const { year, month } = localParts(ms)
  return fromLocal(year, month)
}

/** Start of the Shanghai month after the one containing `ms`. */
export function startOfNextMonth(ms: number): number {
  const { year, month } = localParts(ms)
  return fromLocal(year, month + 1)
}

/** The Shanghai calendar year of an instant (codes and invoice numbers restart each year). */
export function calendarYear(ms: number): number {
  return localParts(ms).year
}

/** `ms` moved by `months` calendar months, same local time of day; the day is clamped to the target month's end. */
export function addCalendarMonths(ms: number, months: number): number {
  const t = localParts(ms)
  const target = fromLocal(t.year, t.month + months)
  const { year, month } = localParts(target)
  const lastDay = localParts(fromLocal(year, month + 1, 0)).day
  return fromLocal(year, month, Math.min(t.day, lastDay), t.hour, t.minute, t.second, t.millisecond)
}

// --- Text ----------------------------------------------------------------------------------------------------------

// The local time as an ISO string ending in `THH:MM:SS.sssZ` (14 characters). Cutting from the end keeps the years
// before 0000 and after 9999 whole, which toISOString writes with a sign and six digits (`+010000-01-01`).
const localIso = (ms: number) => new Date(ms + OFFSET_MS).toISOString()

/** `2026-11-28`: the Shanghai date of an instant. */
export function formatDay(ms: number): string {
  const iso = localIso(ms)
  return iso.slice(0, iso.length - 14)
}

/** `2026-11`: the Shanghai month of an instant. */
export function formatMonth(ms: number): string {
  const iso = localIso(ms)
  return iso.slice(0, iso.length - 17)
}

/** `2026-10-30T08:00:00+08:00`: an instant in Shanghai time with its offset (the metered API's timestamps). */
export function formatIso(ms: number): string {
  const iso = localIso(ms)
  return iso.slice(0, iso.length - 5) + '+08:00'
}

/**
 * `2026-11-28 16:05:09`: an instant as the city's wall-clock date and time, the one readable form on pages and in
 * documents in both languages (ISO 8601 / GB/T 7408 order, never day-first; ADR 0046).
 */
export function formatDateTime(ms: number): string {
  const iso = localIso(ms)
  return `${iso.slice(0, iso.length - 14)} ${iso.slice(iso.length - 13, iso.length - 5)}`
}

/** What to write after a `formatDateTime` where the reader may be elsewhere (a downloaded document). */
export const CITY_TIME_LABEL = { zh: '北京时间', en: 'UTC+8' } as const

/** `YYYY-MM-DD` → the instant of that Shanghai day's midnight; null unless it is a real date (no 2026-02-31). */
export function parseDay(text: string): number | null {
  const m = DAY_TEXT.exec(text)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1) return null
  const ms = fromLocal(y, mo, d)
  return formatDay(ms) === text ? ms : null
}

/** `YYYY-MM-DD` → the last second of that Shanghai day (23:59:59), for "valid through" dates; null when invalid. */
export function parseDayEnd(text: string): number | null {
  const start = parseDay(text)
  return start === null ? null : start + DAY_MS - 1000
}

/** `YYYY-MM` → the Shanghai month's bounds [start, end); null unless it is a real month. */
export function parseMonth(text: string): { start: number; end: number } | null {
  const m = MONTH_TEXT.exec(text)
  if (!m) return null
  const [y, mo] = [Number(m[1]), Number(m[2])]
  return { start: fromLocal(y, mo), end: fromLocal(y, mo + 1) }
}

/** A date (its Shanghai midnight) or a date-time with an explicit offset; null when it is neither or no real instant. */
export function parseInstant(text: string): number | null {
  if (DAY_TEXT.test(text)) return parseDay(text)
  // Date.parse rolls 2026-02-31T10:00Z over into March: the date part must be a real day first.
  if (!DATE_TIME_TEXT.test(text) || parseDay(text.slice(0, 10)) === null) return null
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? ms : null
}

/** `YYYY-MM` moved by `delta` months (`2026-01`, −1 → `2025-12`). */
export function shiftMonth(month: string, delta: number): string {
  const y = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7)) - 1 + delta
  return `${String(y + Math.floor(m / 12)).padStart(4, '0')}-${pad2((((m % 12) + 12) % 12) + 1)}`
}
