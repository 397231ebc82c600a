import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import PDFDocument from 'pdfkit'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { formatFenText } from '#billing/money/format.ts'
import { Decimal } from '#billing/money/decimal.ts'
import type { DisclosureView } from '../editions/get-disclosure.ts'

// The same CJK font as the invoices and agreements, resolved from its npm package (never a system path).
const require = createRequire(import.meta.url)
let fontCache: Buffer | null = null
function cjkFont(): Buffer {
  fontCache ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'))
  return fontCache
}

const FORM: Record<string, string> = {
  component: '数据组件',
  model: '数据模型',
  verification: '数据核验',
  service: '数据服务',
  tool: '数据工具',
  report: '数据报告',
}
const UNIT: Record<string, string> = {
  call: '次调用',
  record: '条记录',
  masked_field: '个脱敏字段',
  mb_exported: 'MB 导出',
  model_release: '次模型发布',
  service_month: '服务月',
  service_year: '服务年',
}
const COST: Record<string, string> = {
  compute: '算力',
  storage: '存储',
  bandwidth: '带宽',
  desensitization: '数据脱敏',
  model_release: '模型发布',
  result_export: '结果导出',
  staff: '人员',
  platform_construction: '平台建设（摊销）',
  operations_maintenance: '运维',
}

/** Fen per unit (decimal text) as yuan per unit, e.g. "5" → "¥0.05/次调用" (at least 2 decimals, exact beyond). */
export function perUnitText(fen: string | null, unit: string): string {
  if (fen === null) return '—'
  const yuan = new Decimal(fen).div(100)
  return `¥${yuan.decimalPlaces() <= 2 ? yuan.toFixed(2) : yuan.toFixed()}/${UNIT[unit] ?? unit}`
}

/**
 * A published (or, for the staff's preview, a draft) annual disclosure as a PDF (A4, Noto Sans SC embedded): the
 * operator, the authorized data resources, products and services, fee standards and their changes, the revenue cap and
 * its use, each followed by the operator's narrative. Every figure comes from the version's frozen figures.
 */
export function renderDisclosurePdf(d: DisclosureView): Promise<Buffer> {
  const f = d.current.figures
  const n = d.current.narrative
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `Annual disclosure ${d.year}`, Author: 'Shenyang Public Data Authorized Operation Platform' },
  })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('cjk', cjkFont())
  doc.font('cjk')
  doc.fontSize(16).text(`沈阳市公共数据授权运营 ${d.year} 年度信息披露`)
  doc
    .fontSize(10)
    .fillColor('#555')
    .text(`Shenyang public data authorized operation · Annual disclosure ${d.year}`)
    .fillColor('#000')
  doc.moveDown(0.5)
  doc
    .fontSize(9.5)
    .text(
      d.state === 'published'
        ? `发布日期 Published：${formatDay(d.publishedAt!)}（第 ${d.current.version} 版；数据截至 ${formatDay(d.current.figuresAt)}）`
        : `草稿 Draft：第 ${d.current.version} 版（数据截至 ${formatDay(d.current.figuresAt)}），未发布`,
    )
  const heading = (zh: string, en: string) => {
    doc.moveDown(0.8)
    doc.fontSize(12.5).text(zh)
    doc.fontSize(8.5).fillColor('#555').text(en).fillColor('#000')
    doc.moveDown(0.3)
    doc.fontSize(9.5)
  }
  const narrative = (text: string) => {
    if (!text) return
    doc.moveDown(0.3)
    doc.fontSize(9.5).text(text, { lineGap: 2 })
  }

  if (n.overview) {
    heading('概述', 'Overview')
    narrative(n.overview)
  }
  heading('一、运营单位及实施主体', '1. The operator and its implementers')
  doc.text(`运营单位：${f.operator.nameZh}`)
  narrative(n.implementers)

  heading('二、授权数据资源', '2. Authorized data resources')
  doc.text(`数源单位 ${f.resources.sourceUnits.length} 个，数据集 ${f.resources.datasets.length} 个。`)
  for (const u of f.resources.sourceUnits) doc.text(`· ${u.nameZh}（${u.code}）：${u.datasets} 个数据集`)
  doc.moveDown(0.3)
  for (const ds of f.resources.datasets) {
    const terms = ds.authorizations.map((a) => `${a.code} ${formatDay(a.startsAt)}—${formatDay(a.endsAt)}`).join('；')
    doc.text(`· ${ds.nameZh}（${ds.code}，${ds.sourceUnitCode}，${ds.level}）授权期限：${terms || '—'}`)
  }
  narrative(n.resources)

  heading('三、数据产品和服务', '3. Products and services')
  for (const p of f.products)
    doc.text(
      `· ${p.nameZh}（${p.code}，${FORM[p.form] ?? p.form}）：产业调用 ${p.industrialCalls.toLocaleString('en-US')} 次，公益调用 ${p.publicInterestCalls.toLocaleString('en-US')} 次`,
    )
  if (f.products.length === 0) doc.text('无。')
  narrative(n.products)

  heading('四、收费标准及年度变化', '4. Fee standards and their changes in the year')
  for (const p of f.fees.atYearEnd) {
    const charges = p.charges.map(
      (c) => `${perUnitText(c.maxUnitPrice, c.chargeUnit)}（上限 ${perUnitText(c.ceiling, c.chargeUnit)}）`,
    )
    doc.text(
      `· ${p.nameZh}（${p.productCode}）${p.version ? `价目 v${p.version}${p.isTrial ? ' 试行' : ''}` : '无价目'}：${charges.join('；') || '—'}`,
    )
  }
  doc.moveDown(0.3)
  doc.text(`年内价目变更 ${f.fees.priceChanges.length} 项：`)
  for (const c of f.fees.priceChanges)
    doc.text(`· ${c.productCode} v${c.version}${c.isTrial ? '（试行）' : ''} 自 ${formatDay(c.inForceFrom)} 起执行`)
  doc.text(`年内上限收费标准变更 ${f.fees.ceilingChanges.length} 项：`)
  for (const c of f.fees.ceilingChanges)
    doc.text(
      `· ${c.productCode} ${perUnitText(c.maxUnitPrice, c.chargeUnit)} 自 ${formatDay(c.effectiveFrom)}${c.basis ? `（${c.basis}）` : ''}${c.reevaluateBy ? `，重新评估 ${formatDay(c.reevaluateBy)}` : ''}`,
    )
  narrative(n.fees)

  heading('五、最高准许收入及使用情况', '5. The revenue cap and its use')
  const cap = f.cap
  if (!cap) doc.text('本年度无成本与收入记录。')
  else {
    const lines: [string, string][] = [
      ['产业专用成本', formatFenText(cap.industrialCostFen)],
      [
        '共用成本',
        `${formatFenText(cap.sharedCostFen)} × 产业调用占比 ${(Number(cap.industrialShare) * 100).toFixed(2)}% = ${formatFenText(cap.allocatedSharedFen)}`,
      ],
      ['公益专用成本（不计入）', formatFenText(cap.publicInterestCostFen)],
      ['计入运营成本', formatFenText(cap.operatingCostFen)],
      ['准许收益', `${formatFenText(cap.allowedProfitFen)}（收益率 ${cap.profitRate ?? '未设'}）`],
      ['税金', `${formatFenText(cap.taxesFen)}（税率 ${cap.taxRate ?? '未设'}）`],
      ['上年超收扣减', formatFenText(cap.deductionFen)],
      ['最高准许收入', formatFenText(cap.maximumFen)],
      [
        '实际已收（不含增值税）',
        `${formatFenText(cap.paidRevenueFen)}${cap.usedShare ? `（${(Number(cap.usedShare) * 100).toFixed(2)}%）` : ''}`,
      ],
      ['结转下年扣减', formatFenText(cap.excessFen)],
    ]
    for (const [k, v] of lines) doc.text(`${k}：${v}`)
    const cats = Object.entries(cap.byCategory)
      .map(([c, fen]) => `${COST[c] ?? c} ${formatFenText(fen)}`)
      .join('；')
    if (cats) doc.text(`成本构成（全部用途）：${cats}`)
  }
  narrative(n.cap)
  doc.end()
  return done
}
