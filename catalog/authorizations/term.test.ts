import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { addCalendarMonths, isWithinMaxTerm, latestEnd, shanghaiDate, shanghaiMidnight } from './term.ts'

const shanghai = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h - 8, mi)

describe('authorization term (Art. 17: at most 3 years, calendar-exact in Asia/Shanghai)', () => {
  it('adds calendar months at the same local time', () => {
    expect(addCalendarMonths(shanghai(2026, 3, 15, 10, 30), 36)).toBe(shanghai(2029, 3, 15, 10, 30))
    expect(addCalendarMonths(shanghai(2026, 11, 30), 3)).toBe(shanghai(2027, 2, 28))
    expect(addCalendarMonths(shanghai(2026, 1, 31), 1)).toBe(shanghai(2026, 2, 28))
    expect(addCalendarMonths(shanghai(2026, 5, 10), -5)).toBe(shanghai(2025, 12, 10))
  })

  it('clamps 29 February to 28 February three years later', () => {
    expect(latestEnd(shanghai(2028, 2, 29))).toBe(shanghai(2031, 2, 28))
  })

  it('uses the Shanghai date, not the UTC one, near midnight', () => {
    // 2026-02-28 17:00 UTC is already 1 March in Shanghai: +1 month is 1 April (by UTC it would be 29 March).
    expect(shanghaiDate(addCalendarMonths(Date.UTC(2026, 1, 28, 17), 1))).toBe('2026-04-01')
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

  it('reads Shanghai dates', () => {
    expect(shanghaiMidnight('2026-03-01')).toBe(shanghai(2026, 3, 1))
    expect(shanghaiMidnight('2026-02-30')).toBeNull()
    expect(shanghaiMidnight('26-3-1')).toBeNull()
    expect(shanghaiDate(shanghai(2026, 3, 1))).toBe('2026-03-01')
  })
})
