import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { isWithinMaxTerm, latestEnd, MAX_TERM_MONTHS } from './term.ts'

describe('authorization term (Art. 17: at most 3 years, calendar-exact in Asia/Shanghai)', () => {
  it('is 36 months', () => expect(MAX_TERM_MONTHS).toBe(36))

  it('ends at the same local time three years later', () => {
    expect(latestEnd(fromLocal(2026, 3, 15, 10, 30))).toBe(fromLocal(2029, 3, 15, 10, 30))
  })

  it('clamps 29 February to 28 February three years later', () => {
    expect(latestEnd(fromLocal(2028, 2, 29))).toBe(fromLocal(2031, 2, 28))
  })

  it('counts from the Shanghai date, not the UTC one, near midnight', () => {
    // 2026-02-28 17:00 UTC is already 1 March in Shanghai: the term may run until 1 March 2029, 01:00 local.
    expect(latestEnd(Date.UTC(2026, 1, 28, 17))).toBe(fromLocal(2029, 3, 1, 1))
  })

  it('accepts exactly 3 years and refuses one millisecond more, for any start', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }), (start) => {
        const end = latestEnd(start)
        expect(isWithinMaxTerm(start, end)).toBe(true)
        expect(isWithinMaxTerm(start, end + 1)).toBe(false)
        // Never more than 3 × 366 days, never less than 3 × 365 − 3.
        const days = (end - start) / 86_400_000
        expect(days).toBeGreaterThanOrEqual(3 * 365 - 3)
        expect(days).toBeLessThanOrEqual(3 * 366)
      }),
    )
  })
})
