import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { figureLabel, formatFigureValue, SECTION_LABELS } from '../figures/figure-labels.ts'
import type { ReportFigures } from '../figures/figure-types.ts'
import type { Narrative } from '../reports/report-narrative.ts'
import { CHART_HEIGHT, CHART_WIDTH, renderReportCharts } from './report-charts.ts'

// The same CJK font as the invoices and the agreements, resolved from its npm package (never a system path).
const require = createRequire(import.meta.url)
let fontCache: Buffer | null = null
function cjkFont(): Buffer {
  fontCache ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'))
  return fontCache
}

export interface ReportPdfInput {
  figures: ReportFigures
  narrative: Narrative
  version: number
  state: string
  submittedAt: number | null
  bureauComment: string | null
}

/** Rows of a breakdown printed in the PDF; the XLSX and CSV carry them all. */
const PDF_ROWS = 20

/** An operation report as a PDF (A4, Noto Sans SC embedded): narrative, figures and the page's charts, per section. */
export function renderReportPdf(input: ReportPdfInput): Promise<Buffer> {
  const { figures: f, narrative } = input
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `运营情况报告 ${f.period} v${input.version}`, Author: 'Shenyang Public Data Authorized Operation Platform' },
  })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('cjk', cjkFont())
  doc.font('cjk')
  const width = doc.page.width - 96
  const bottom = () => doc.page.height - 48
  const room = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage()
  }

  doc.fontSize(16).text(`沈阳市公共数据授权运营情况报告 · ${f.period}`)
  doc.fontSize(10).fillColor('#555').text(`Operation report to the data bureau (Art. 25) · ${f.period}`).fillColor('#000')
  doc.moveDown(0.5)
  doc.fontSize(10)
  doc.text(`报告期 Period：${f.from} 至 ${f.to}（Asia/Shanghai）`)
  doc.text(`版本 Version：${input.version}（${input.state}）  数据截至 Figures as of：${f.generatedAt}`)
  if (input.submittedAt) doc.text(`报送时间 Submitted：${formatIso(input.submittedAt)}`)
  if (input.bureauComment) doc.text(`数据局意见 Bureau's comments：${input.bureauComment}`)
  if (narrative.summary) {
    doc.moveDown(0.6)
    doc.fontSize(12).text(SECTION_LABELS.summary.zh)
    doc.fontSize(10).text(narrative.summary, { lineGap: 2 })
  }
  const charts = renderReportCharts(f)
  for (const section of f.sections) {
    room(80)
    doc.moveDown(0.8)
    doc.fontSize(13).text(`${SECTION_LABELS[section.key].zh}  ${SECTION_LABELS[section.key].en}`)
    const words = narrative[section.key]
    if (words) doc.fontSize(10).text(words, { lineGap: 2 }).moveDown(0.3)
    doc.fontSize(9.5)
    for (const fig of section.figures) {
      room(14)
      const y = doc.y
      doc.text(figureLabel(fig.key), 48, y, { width: width - 140 })
      doc.text(formatFigureValue(fig.value, fig.unit), 48 + width - 140, y, { width: 140, align: 'right' })
      for (const row of (fig.rows ?? []).slice(0, PDF_ROWS)) {
        room(13)
        const ry = doc.y
        doc.fillColor('#444').text(`    ${row.label}${row.note ? `（${row.note}）` : ''}`, 48, ry, { width: width - 140 })
        doc.text(formatFigureValue(row.value, fig.unit), 48 + width - 140, ry, { width: 140, align: 'right' }).fillColor('#000')
      }
      if ((fig.rows?.length ?? 0) > PDF_ROWS)
        doc.fillColor('#777').text(`    …（共 ${fig.rows!.length} 项，见 XLSX）`, 48).fillColor('#000')
    }
    for (const chart of charts.filter((c) => c.section === section.key)) {
      const scale = width / CHART_WIDTH
      const height = Number(/height="(\d+)"/.exec(chart.svg)?.[1] ?? CHART_HEIGHT) * scale
      room(height + 10)
      doc.moveDown(0.4)
      SVGtoPDF(doc, chart.svg, 48, doc.y, { width, height, fontCallback: () => 'cjk' })
      doc.y += height + 6
      doc.x = 48
    }
  }
  doc.end()
  return done
}
