import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import PDFDocument from 'pdfkit'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import type { SignedAgreement } from './find-signed-agreement.ts'
import { KIND_LABELS } from './render-agreement-text.ts'

// The same CJK font as the invoices and reports, resolved from its npm package (never a system path).
const require = createRequire(import.meta.url)
let fontCache: Buffer | null = null
function cjkFont(): Buffer {
  fontCache ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'))
  return fontCache
}

/** A signed agreement as a PDF (A4, Noto Sans SC embedded): the exact text accepted, then the acceptance record. */
export function renderAcceptancePdf(signed: SignedAgreement): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: {
      Title: `${KIND_LABELS[signed.kind].en} v${signed.version} · ${signed.partnerCode}`,
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
  doc.fontSize(15).text(`沈阳市公共数据授权运营平台 · ${KIND_LABELS[signed.kind].zh}`)
  doc
    .fontSize(10)
    .fillColor('#555')
    .text(`Shenyang Public Data Authorized Operation Platform · ${KIND_LABELS[signed.kind].en}`)
    .fillColor('#000')
  doc.moveDown(0.8)
  doc.fontSize(10).text(`合作方 Partner：${signed.partnerName}（${signed.partnerCode}）`)
  doc.moveDown(0.6)
  doc.fontSize(9.5).text(signed.renderedText, { lineGap: 2 })
  doc.moveDown(1)
  doc.fontSize(11).text('签署记录 Acceptance record')
  doc.fontSize(9.5)
  for (const [k, v] of [
    ['接受人 Accepted by', signed.userName],
    ['时间 Time', `${formatIso(signed.acceptedAt)}（Asia/Shanghai）`],
    ['客户端地址 Client address', signed.clientAddress ?? '—'],
    ['摘要算法 Hash algorithm', signed.hashAlgorithm.toUpperCase()],
    ['文本摘要 Text hash', signed.textHash],
  ] as const)
    doc.text(`${k}：${v}`)
  doc.end()
  return done
}
