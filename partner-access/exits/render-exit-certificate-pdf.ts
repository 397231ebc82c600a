import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import PDFDocument from 'pdfkit'
import { formatDay, formatIso } from '#platform/calendar/shanghai-calendar.ts'
import type { ExitKind } from '#db/schema/index.ts'
import type { PartnerExitView } from './list-partner-exits.ts'

// The same CJK font and library as the invoice PDF (billing/invoices/render-invoice-pdf.ts), from node_modules.
const require = createRequire(import.meta.url)
let fontCache: Buffer | null = null
function cjkFont(): Buffer {
  fontCache ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'))
  return fontCache
}

export const EXIT_KIND_LABELS: Record<ExitKind, string> = {
  voluntary: '主动退出 Voluntary',
  breach: '违约退出 Breach of agreement',
  assessment: '考核退出 Failed evaluation',
  qualification: '资质变更退出 Change of qualification',
  credit: '不良信用退出 Bad credit',
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`

/**
 * The exit certificate (退出证明) of an executed exit — or, before the exit date, the exit notice (退出通知书) with the
 * kind, reason and dates only: A4, Chinese with English beside it, Noto Sans SC embedded.
 */
export function renderExitCertificatePdf(exit: PartnerExitView, opts: { reapplyFrom: number | null }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Exit certificate ${exit.certificateNumber ?? ''}`,
      Author: 'Shenyang Public Data Authorized Operation Platform',
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
  const isNotice = exit.state !== 'executed'
  doc.fontSize(18).text(isNotice ? '合作方退出通知书' : '合作方退出证明', { align: 'center' })
  doc
    .fontSize(10)
    .fillColor('#555')
    .text(isNotice ? 'Notice of partner exit' : 'Certificate of partner exit', { align: 'center' })
    .fillColor('#000')
  doc.moveDown(1.2)
  const o = exit.outcome
  const rows: [string, string][] = [
    ['证明编号 Number', exit.certificateNumber ?? '—'],
    ['合作方 Partner', `${exit.partner.name}（${exit.partner.code}）`],
    ['统一社会信用代码 USCC', exit.partner.uscc ?? '—'],
    ['退出类型 Kind', EXIT_KIND_LABELS[exit.kind]],
    ['退出原因 Reason', exit.reason],
    ['依据 Reference', exit.sourceRef ?? '—'],
    ['通知日期 Notice', formatDay(exit.noticeAt)],
    ['退出日期 Exit date', formatDay(exit.exitAt)],
    ['执行时间 Executed', exit.executedAt ? formatIso(exit.executedAt) : '—'],
    ['终止订阅 Subscriptions ended', String(o?.subscriptionsEnded ?? 0)],
    ['停用密钥 API keys stopped', String(o?.keysStopped ?? 0)],
    ['删除衍生成果 Report exports deleted', `${o?.exportsDeleted ?? 0}（${o?.exportBytesDeleted ?? 0} 字节 bytes）`],
    [
      '最终账单（草稿）Final draft invoice',
      exit.finalInvoice ? `${exit.finalInvoice.period}：${yuan(exit.finalInvoice.totalFen)}` : '—',
    ],
    ['信用记录 Credit record', o?.creditRecordCode ?? '—'],
    ['日志 Logs', '按留存规则保存，未删除 Kept under the retention rules (Art. 17)'],
    ['再次申请 May apply again', opts.reapplyFrom === null ? '即时 At once' : `自 from ${formatDay(opts.reapplyFrom)}`],
  ]
  doc.fontSize(11)
  // A notice lists what will happen at the exit date, not an outcome.
  for (const [k, v] of isNotice ? rows.slice(1, 8) : rows) {
    doc.text(`${k}：${v}`)
    doc.moveDown(0.3)
  }
  doc.moveDown(1.5)
  doc.fontSize(10).text('沈阳市公共数据授权运营单位 Authorized operator', { align: 'right' })
  doc.end()
  return done
}
