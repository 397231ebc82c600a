import { describe, expect, it } from 'vitest'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { DISTRICT_BY_CODE } from '#platform/reference-data/shenyang.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { renderReportPdf } from './render-report-pdf.ts'
import { parseReportPeriod } from './report-period.ts'

// Issue 16: the district report's "generated at" is the city's time in ISO order, never UTC.
describe('the district report PDF', () => {
  it('prints when it was generated in Shanghai time, ISO order', async () => {
    const district = [...DISTRICT_BY_CODE.values()][0]!
    const period = parseReportPeriod('2026-10')
    if (!period) throw new Error('period')
    // 2026-11-01 07:30:05 in Shanghai is 2026-10-31 23:30:05 UTC: the day differs, so UTC cannot pass for it.
    const generatedAt = fromLocal(2026, 11, 1, 7, 30, 5)
    const text = extractPdfText(await renderReportPdf({ district, period, generatedAt, k: 5, sections: [] }))
    expect(text).toContain('2026-11-01 07:30:05')
    expect(text).not.toContain('2026-10-31T23:30')
  })
})
