import { describe, expect, it } from 'vitest'
import { parseReportPeriod } from './report-period.ts'

describe('parseReportPeriod', () => {
  it('reads a year, a quarter and a month in Asia/Shanghai', () => {
    expect(parseReportPeriod('2026')).toMatchObject({
      labelZh: '2026年',
      months: [
        '2026-01',
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
        '2026-10',
        '2026-11',
        '2026-12',
      ],
      startDate: '2026-01-01',
      endDate: '2027-01-01',
    })
    expect(parseReportPeriod('2026-Q4')).toMatchObject({
      labelZh: '2026年第4季度',
      labelEn: '2026 Q4',
      months: ['2026-10', '2026-11', '2026-12'],
      endDate: '2027-01-01',
    })
    const october = parseReportPeriod('2026-10')!
    expect(october).toMatchObject({ labelZh: '2026年10月', months: ['2026-10'], startDate: '2026-10-01', endDate: '2026-11-01' })
    expect(october.startMs).toBe(Date.UTC(2026, 8, 30, 16))
    expect(october.endMs - october.startMs).toBe(31 * 86_400_000)
  })

  it('refuses anything else', () => {
    for (const bad of ['26', '2026-13', '2026-Q5', '2026-1', '2026-10-01', '1989', 'x'])
      expect(parseReportPeriod(bad), bad).toBeNull()
  })
})
