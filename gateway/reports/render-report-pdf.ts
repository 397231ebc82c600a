import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import PDFDocument from 'pdfkit'
import type { DistrictEconomyReport } from './collect-district-economy.ts'
import { formatReportValue } from './format-report-value.ts'
import { CITY_TIME_LABEL, formatDateTime } from '#platform/calendar/shanghai-calendar.ts'

/** Noto Sans SC from the npm package (never a system font path): embedded, subset, so the PDF renders Chinese anywhere. */
const REPORT_FONT_PATH = join(
  dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/package.json')),
  '400Regular',
  'NotoSansSC_400Regular.ttf',
)

let fontBytes: Buffer | null = null
const font = () => (fontBytes ??= readFileSync(REPORT_FONT_PATH))

const PLATFORM_ZH = '沈阳市公共数据授权运营平台'

/** The report as an A4 PDF with the CJK font embedded. */
export function renderReportPdf(report: DistrictEconomyReport): Promise<Buffer> {
  const title = `${report.district.zh}经济运行报告（${report.period.labelZh}）`
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: {
      Title: title,
      Author: PLATFORM_ZH,
      Subject: `District economic report ${report.district.code} ${report.period.text}`,
      CreationDate: new Date(report.generatedAt),
    },
  })
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('cjk', font())
  doc.font('cjk')

  const left = doc.page.margins.left
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right
  doc.fontSize(18).text(title, { align: 'center' })
  doc.moveDown(0.3)
  doc
    .fontSize(9)
    .fillColor('#555555')
    .text(
      `${report.district.en} · ${report.period.labelEn} · ${PLATFORM_ZH} · 生成时间 Generated ${formatDateTime(report.generatedAt)} ${CITY_TIME_LABEL.zh} ${CITY_TIME_LABEL.en}`,
      { align: 'center' },
    )
  doc.moveDown(0.6)
  doc
    .fontSize(9)
    .text(`本报告仅含汇总统计。描述少于 ${report.k} 个单位的数字不予披露（Measures Art. 4, 13）；L4 级数据不进入报告。`, {
      align: 'left',
    })
  doc.fillColor('#000000')

  for (const section of report.sections) {
    doc.moveDown(0.8)
    if (doc.y > doc.page.height - 160) doc.addPage()
    doc.fontSize(13).text(`${section.titleZh}  ${section.titleEn}`, left, doc.y)
    doc
      .fontSize(8)
      .fillColor('#555555')
      .text(`${section.datasetCode} · ${section.level}${section.noteZh ? ' · ' + section.noteZh : ''}`)
    doc.fillColor('#000000').moveDown(0.3)
    for (const row of section.rows) {
      if (doc.y > doc.page.height - doc.page.margins.bottom - 20) doc.addPage()
      const y = doc.y
      doc.fontSize(10).text(row.labelZh, left, y, { width: width * 0.62 })
      const labelBottom = doc.y
      doc.text(formatReportValue(row, report.k), left + width * 0.62, y, { width: width * 0.38, align: 'right' })
      doc.y = Math.max(labelBottom, doc.y) + 2
    }
    if (section.rows.length === 0) doc.fontSize(10).text('—', left, doc.y)
  }
  doc.end()
  return done
}
