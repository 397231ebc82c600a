import { describe, expect, it } from 'vitest'
import { DISTRICT_BY_CODE } from '#platform/reference-data/shenyang.ts'
import { renderReportCsv } from './render-report-csv.ts'
import { parseReportPeriod } from './report-period.ts'

describe('renderReportCsv', () => {
  it('writes labels a spreadsheet would run as formulas as text, and figures as numbers', () => {
    const district = [...DISTRICT_BY_CODE.values()][0]!
    const csv = renderReportCsv({
      district,
      period: parseReportPeriod('2026-10')!,
      generatedAt: 0,
      k: 10,
      sections: [
        {
          key: 'enterprises',
          titleZh: '=HYPERLINK("http://evil.example","x")',
          titleEn: 'Enterprises',
          datasetCode: 'DS-SCJG-0001',
          level: 'L2',
          suppressed: 0,
          rows: [
            { labelZh: '@SUM(A1:A9)', labelEn: '-1+cmd', value: -1250, unit: 'fen' },
            { labelZh: '新设', labelEn: 'New', value: null, unit: 'count' },
          ],
        },
      ],
    }).toString('utf8')
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n')
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`)
    expect(lines[1]).toContain(`"'@SUM(A1:A9)","'-1+cmd",-1250,fen,false`)
    expect(lines[2]).toMatch(/,新设,New,,count,true$/)
  })
})
