import { addCalendarMonths, fromLocal, localParts, startOfDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'

// "Kept at least N calendar months" made exact (ADR 0027), on the one Shanghai calendar: a log row is kept through the
// Shanghai day `addCalendarMonths(day of its anchor, N)` (the day clamped to the month's end: 31 March + 6 → 30
// September) and may be deleted from 00:00 of the next day (1 October). The anchor is the later of the event and the
// end of the agreement or authorization it concerns. The triggers compute the same rule in SQL
// (`log_retention_horizon`, db/migrations/0015_log_retention_art17.sql); a property test compares both.

/** The first instant (Shanghai midnight) at which a row anchored at `anchor` may be deleted, keeping it `months`. */
export function deletableFrom(anchor: number, months: number): number {
  return startOfNextDay(addCalendarMonths(startOfDay(anchor), months))
}

/**
 * The horizon at `now`: a row whose anchor is at or after the returned instant is still kept (`months` months);
 * one before it may go. With today = (y, m, d): day d of month m − months, or the first of the next month when that
 * month has no day d — the inverse of `deletableFrom` for whole days.
 */
export function keepFrom(now: number, months: number): number {
  const { year, month, day } = localParts(now)
  // fromLocal rolls a day past the month's end over into the next month, as SQLite's date() does.
  const sameDay = fromLocal(year, month - months, day)
  return Math.min(sameDay, fromLocal(year, month - months + 1, 1))
}
