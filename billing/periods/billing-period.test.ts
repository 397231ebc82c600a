import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { isPeriodText, monthsBetween, nextPeriod, parsePeriod, periodOf, previousPeriod } from './billing-period.ts'
import { yuanToFen } from '../money/yuan.ts'
import { roundFen, Decimal } from '../money/decimal.ts'

describe('billing periods on the Shanghai calendar', () => {
  it('bounds a month at Shanghai midnight', () => {
    const jan = parsePeriod('2027-01')!
    expect(jan.start).toBe(fromLocal(2027, 1, 1))
    expect(jan.end).toBe(fromLocal(2027, 2, 1))
    // 31 December 16:00 UTC is already 1 January in Shenyang.
    expect(periodOf(Date.parse('2026-12-31T16:00:00Z')).period).toBe('2027-01')
    expect(periodOf(Date.parse('2026-12-31T15:59:59.999Z')).period).toBe('2026-12')
    expect(periodOf(jan.end - 1).period).toBe('2027-01')
  })

  it('steps across years and counts months', () => {
    expect(nextPeriod(parsePeriod('2026-12')!).period).toBe('2027-01')
    expect(previousPeriod(parsePeriod('2027-01')!).period).toBe('2026-12')
    expect(monthsBetween(parsePeriod('2026-03')!, parsePeriod('2027-03')!)).toBe(12)
  })

  it('refuses what is not YYYY-MM', () => {
    for (const bad of ['2026-13', '2026-1', '26-01', '2026-00', '']) {
      expect(parsePeriod(bad)).toBeNull()
      expect(isPeriodText(bad)).toBe(false)
    }
    expect(isPeriodText('2026-12')).toBe(true)
  })

  it('puts every instant in its period, next to the ones before and after (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: fromLocal(1000, 2, 1), max: fromLocal(9999, 11, 1) }), (at) => {
        const p = periodOf(at)
        expect(p.start).toBeLessThanOrEqual(at)
        expect(at).toBeLessThan(p.end)
        expect(parsePeriod(p.period)).toEqual(p)
        expect(nextPeriod(p).start).toBe(p.end)
        expect(previousPeriod(p).end).toBe(p.start)
        expect(monthsBetween(p, nextPeriod(p))).toBe(1)
        expect(monthsBetween(nextPeriod(p), previousPeriod(p))).toBe(-2)
      }),
    )
  })
})

describe('money', () => {
  it('parses yuan into fen with string arithmetic', () => {
    expect(yuanToFen('1,234.56')).toBe(123456)
    expect(yuanToFen('¥0.1')).toBe(10)
    expect(yuanToFen('12')).toBe(1200)
    for (const bad of ['1.234', '-1', 'abc', '', '1e3']) expect(yuanToFen(bad)).toBeNull()
  })

  it('rounds half-up once, to whole fen', () => {
    expect(roundFen(new Decimal('17.5'))).toBe(18)
    expect(roundFen(new Decimal('4.5'))).toBe(5)
    expect(roundFen(new Decimal('2.4999999'))).toBe(2)
    expect(roundFen(new Decimal('0.5'))).toBe(1)
  })
})
