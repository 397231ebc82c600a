import { describe, expect, it } from 'vitest'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { parseReportPeriod, previousQuarter, quarterOf } from './report-period.ts'

describe('report periods (Asia/Shanghai quarters and years)', () => {
  it('a quarter: Shanghai midnights, three months', () => {
    const p = parseReportPeriod('2026-Q3')!
    expect(p.kind).toBe('quarterly')
    expect(p.start).toBe(fromLocal(2026, 7, 1))
    expect(p.end).toBe(fromLocal(2026, 10, 1))
    expect(new Date(p.start).toISOString()).toBe('2026-06-30T16:00:00.000Z')
    expect(p.months).toEqual(['2026-07', '2026-08', '2026-09'])
  })

  it('Q4 ends at the next year’s first midnight; a year has twelve months', () => {
    expect(parseReportPeriod('2026-Q4')!.end).toBe(fromLocal(2027, 1, 1))
    const y = parseReportPeriod('2026')!
    expect(y.kind).toBe('annual')
    expect(y.start).toBe(fromLocal(2026, 1, 1))
    expect(y.end).toBe(fromLocal(2027, 1, 1))
    expect(y.months).toHaveLength(12)
    expect(y.months[11]).toBe('2026-12')
  })

  it.each([
    '2026-Q0',
    '2026-Q5',
    '2026-q3',
    '2026-07',
    ' 2026',
    '2026 ',
    '26',
    '1999',
    '2101',
    '',
    '2026-Q3x',
    '２０２６',
    '2026-Q3\n',
  ])('refuses %j', (text) => expect(parseReportPeriod(text)).toBeNull())

  it('the quarter of an instant, and the one before it (the last second of a quarter belongs to it)', () => {
    const q3 = parseReportPeriod('2026-Q3')!
    expect(quarterOf(q3.end - 1).period).toBe('2026-Q3')
    expect(quarterOf(q3.end).period).toBe('2026-Q4')
    expect(previousQuarter(parseReportPeriod('2026-Q1')!.start).period).toBe('2025-Q4')
  })
})
