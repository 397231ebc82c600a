import { describe, expect, it } from 'vitest'
import {
  monthsBetween,
  nextPeriod,
  parsePeriod,
  periodOf,
  previousPeriod,
  shanghaiDay,
  shanghaiDayStart,
} from './billing-period.ts'
import { yuanToFen } from '../money/yuan.ts'
import { roundFen, Decimal } from '../money/decimal.ts'

describe('billing periods on the Shanghai calendar', () => {
  it('bounds a month at 00:00 +08:00', () => {
    const jan = parsePeriod('2027-01')!
    expect(jan.start).toBe(Date.parse('2027-01-01T00:00:00+08:00'))
    expect(jan.end).toBe(Date.parse('2027-02-01T00:00:00+08:00'))
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

  it('refuses what is not YYYY-MM or a real day', () => {
    for (const bad of ['2026-13', '2026-1', '26-01', '2026-00', '']) expect(parsePeriod(bad)).toBeNull()
    expect(shanghaiDayStart('2026-02-30')).toBeNull()
    expect(shanghaiDay(shanghaiDayStart('2026-11-28')!)).toBe('2026-11-28')
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
