import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import PDFDocument from 'pdfkit'
import { Decimal } from '../money/decimal.ts'
import { formatFenText } from '../money/format.ts'
import { formatUnitYuan } from '#platform/money/money.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import type { InvoiceView } from './invoice-view.ts'
import { CHARGE_UNIT_LABELS, LINE_KIND_LABELS, PURPOSE_LABELS } from './labels.ts'

// The CJK font comes from its npm package, resolved from node_modules: never a system path.
const require = createRequire(import.meta.url)
let fontCache: Buffer | null = null
function cjkFont(): Buffer {
  fontCache ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'))
  return fontCache
}

const STATE_LABEL: Record<InvoiceView['state'], string> = {
  draft: '草稿 DRAFT',
  finalized: '已开具 Issued',
  voided: '已作废 Voided',
  preview: '预估 Estimate',
}

/**
 * The invoice as a PDF (A4) with Noto Sans SC embedded (subset), in Chinese with English beside it: header, partner,
 * one row per line (units, unit price in yuan, amount, waived value), subtotal, VAT, total.
 */
export function renderInvoicePdf(invoice: InvoiceView, opts: { issuer?: string } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: {
      Title: `Invoice ${invoice.number ?? invoice.period}`,
      Author: opts.issuer ?? 'Shenyang Public Data Authorized Operation Platform',
    },
  })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('cjk', cjkFont())
  doc.font('cjk')

  doc.fontSize(16).text('沈阳市公共数据授权运营平台 · 账单', { align: 'left' })
  doc.fontSize(10).fillColor('#555').text('Shenyang Public Data Authorized Operation Platform · Invoice').fillColor('#000')
  doc.moveDown(0.8)
  const meta: [string, string][] = [
    ['编号 Number', invoice.number ?? '—'],
    ['状态 State', STATE_LABEL[invoice.state] + (invoice.creditNote ? ` · ${invoice.creditNote.number}` : '')],
    ['账期 Period', `${invoice.period}（Asia/Shanghai）`],
    ['合作方 Partner', `${invoice.partner.name}（${invoice.partner.code}）`],
    ['统一社会信用代码 USCC', invoice.partner.uscc ?? '—'],
    ['开具日期 Issued', invoice.finalizedAt ? formatDay(invoice.finalizedAt) : '—'],
    ['开票方 Issuer', opts.issuer ?? '沈阳市公共数据授权运营单位 Authorized operator'],
  ]
  doc.fontSize(10)
  for (const [k, v] of meta) doc.text(`${k}：${v}`)
  doc.moveDown(0.8)

  // Columns: #, product / charge, purpose, units, unit price (yuan per unit, ADR 0048), amount, waived.
  const cols = [
    { title: '#', width: 22, align: 'left' as const },
    { title: '产品 / 计费项 Product / charge', width: 170, align: 'left' as const },
    { title: '用途 Purpose', width: 70, align: 'left' as const },
    { title: '数量 Units', width: 60, align: 'right' as const },
    { title: '单价(元) Price', width: 60, align: 'right' as const },
    { title: '金额 Amount', width: 68, align: 'right' as const },
    { title: '减免 Waived', width: 65, align: 'right' as const },
  ]
  const left = doc.page.margins.left
  const row = (cells: string[], size = 8.5) => {
    doc.fontSize(size)
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: cols[i]!.width - 4 }))
    const h = Math.max(...heights) + 4
    if (doc.y + h > doc.page.height - doc.page.margins.bottom - 60) doc.addPage()
    const y = doc.y
    let x = left
    cells.forEach((c, i) => {
      doc.text(c, x + 2, y + 2, { width: cols[i]!.width - 4, align: cols[i]!.align })
      x += cols[i]!.width
    })
    doc
      .moveTo(left, y + h)
      .lineTo(x, y + h)
      .strokeColor('#ccc')
      .lineWidth(0.5)
      .stroke()
    doc.x = left
    doc.y = y + h
  }
  row(
    cols.map((c) => c.title),
    8,
  )
  for (const l of invoice.lines) {
    const what = [
      `${l.productNameZh}（${l.product}）`,
      `${CHARGE_UNIT_LABELS[l.charge].zh} ${CHARGE_UNIT_LABELS[l.charge].en}`,
      l.kind === 'usage' ? '' : `${LINE_KIND_LABELS[l.kind].zh} ${l.usagePeriod}`,
      l.unpriced
        ? '无已批准价格 no approved price'
        : l.priceBookVersion
          ? `价目 v${l.priceBookVersion}${l.cappedAtCeiling ? ' · 按上限 capped' : ''}`
          : '',
    ]
      .filter(Boolean)
      .join('\n')
    row([
      String(l.lineNo),
      what,
      PURPOSE_LABELS[l.purpose].zh,
      l.units,
      formatUnitYuan(l.unitPrice),
      formatFenText(l.amountFen),
      l.waivedFen ? formatFenText(l.waivedFen) : '—',
    ])
  }
  doc.moveDown(0.8)
  doc.fontSize(10)
  const totals: [string, string][] = [
    ['小计 Subtotal', formatFenText(invoice.subtotalFen)],
    [`增值税 VAT（${new Decimal(invoice.vatRate).times(100).toFixed()}%）`, formatFenText(invoice.vatFen)],
    ['合计 Total', formatFenText(invoice.totalFen)],
    ['公益减免（不收费）Waived, not charged', formatFenText(invoice.waivedFen)],
  ]
  for (const [k, v] of totals) doc.text(`${k}：${v}`, { align: 'right' })
  doc.moveDown(1)
  doc
    .fontSize(8)
    .fillColor('#555')
    .text(
      '说明：用于公共治理、公益事业的使用免费，按价目计量后列示减免金额（《沈阳市公共数据授权运营管理办法》第二十一条）。单价以“元/单位”计，每行金额四舍五入至分，增值税按小计计算后四舍五入一次。' +
        '\nPublic-interest use is free and shown with its waived value (Art. 21). Unit prices in yuan per unit; each line rounded half-up once to the fen; VAT on the subtotal, rounded once.',
    )
  doc.end()
  return done
}
