import { addCalendarMonths } from '#platform/calendar/shanghai-calendar.ts'

// Art. 17: an authorization runs at most 3 years. "3 years" is calendar-exact in Asia/Shanghai (the one calendar,
// platform/calendar): 2026-03-15 10:00 may run until 2029-03-15 10:00 (local), and a term starting on 29 February ends
// at the latest on 28 February.

export const MAX_TERM_MONTHS = 36

/** The latest end a term starting at `startsAt` may have. */
export const latestEnd = (startsAt: number) => addCalendarMonths(startsAt, MAX_TERM_MONTHS)

export const isWithinMaxTerm = (startsAt: number, endsAt: number) => endsAt <= latestEnd(startsAt)
