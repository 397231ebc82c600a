import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  secondsUntil,
  shanghaiDayStart,
  shanghaiMonthStart,
  shanghaiNextDayStart,
  shanghaiNextMonthStart,
} from './shanghai-calendar.ts'

const shanghai = (iso: string) => Date.parse(`${iso}+08:00`)

describe('Shanghai calendar', () => {
  it('starts the day at midnight Beijing time, not UTC', () => {
    expect(shanghaiDayStart(shanghai('2026-03-01T07:59:59'))).toBe(shanghai('2026-03-01T00:00:00'))
    expect(shanghaiDayStart(shanghai('2026-03-01T00:00:00'))).toBe(shanghai('2026-03-01T00:00:00'))
    expect(shanghaiDayStart(shanghai('2026-02-28T23:59:59'))).toBe(shanghai('2026-02-28T00:00:00'))
    expect(shanghaiNextDayStart(shanghai('2026-12-31T12:00:00'))).toBe(shanghai('2027-01-01T00:00:00'))
  })

  it('starts the month on the 1st at Beijing midnight, across year ends and leap years', () => {
    // 2026-03-31T20:00Z is already April 1st in Shenyang.
    expect(shanghaiMonthStart(Date.parse('2026-03-31T20:00:00Z'))).toBe(shanghai('2026-04-01T00:00:00'))
    expect(shanghaiMonthStart(shanghai('2026-03-31T23:59:59'))).toBe(shanghai('2026-03-01T00:00:00'))
    expect(shanghaiNextMonthStart(shanghai('2026-12-15T10:00:00'))).toBe(shanghai('2027-01-01T00:00:00'))
    expect(shanghaiNextMonthStart(shanghai('2028-02-10T10:00:00')) - shanghaiMonthStart(shanghai('2028-02-10T10:00:00'))).toBe(
      29 * 86_400_000,
    )
  })

  it('always puts now inside [start, next start) (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }), (now) => {
        return (
          shanghaiDayStart(now) <= now &&
          now < shanghaiNextDayStart(now) &&
          shanghaiMonthStart(now) <= now &&
          now < shanghaiNextMonthStart(now) &&
          new Date(shanghaiMonthStart(now) + 8 * 3_600_000).getUTCDate() === 1
        )
      }),
    )
  })

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(secondsUntil(10_001, 0)).toBe(11)
    expect(secondsUntil(10_000, 0)).toBe(10)
    expect(secondsUntil(0, 5)).toBe(1)
  })
})
