import { calendarYear, fromLocal } from '#platform/calendar/shanghai-calendar.ts'

/** 65号 / the 2026 disclosure rules: a year's edition is published by 31 March of the next year (Asia/Shanghai). */
export function disclosureDeadline(year: number): number {
  // The first instant after 31 March.
  return fromLocal(year + 1, 4, 1)
}

/** From 1 March the operator is reminded of last year's edition (ADR 0036). */
export function reminderStart(year: number): number {
  return fromLocal(year + 1, 3, 1)
}

/** The year whose edition is due around `now`: last calendar year. */
export function dueDisclosureYear(now: number): number {
  return calendarYear(now) - 1
}
