import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'

/**
 * Days a partner has to pay a finalized invoice (ADR 0043). The agreement names no term; the portal shows the due
 * date this gives so the partner's administrator sees what to pay next. Nothing is charged or blocked on it.
 */
export const PAYMENT_TERM_DAYS = 30

/** When a finalized invoice falls due. */
export function invoiceDueAt(finalizedAt: number): number {
  return finalizedAt + PAYMENT_TERM_DAYS * DAY_MS
}
