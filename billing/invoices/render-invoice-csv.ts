import { renderCsv, type CsvValue } from '#platform/csv/csv-cell.ts'
import { fenToYuanPlain } from '../money/format.ts'
import type { InvoiceView } from './invoice-view.ts'
import { CHARGE_UNIT_LABELS, LINE_KIND_LABELS, PURPOSE_LABELS } from './labels.ts'

/**
 * The invoice as CSV (RFC 4180, CRLF) with a UTF-8 BOM so spreadsheet programs read the Chinese text correctly: one
 * row per line, then subtotal, VAT, total and waived rows. Amounts in fen (exact) and in yuan. Text that a spreadsheet
 * would run as a formula is neutralised (platform/csv/csv-cell.ts).
 */
export function renderInvoiceCsv(invoice: InvoiceView): string {
  const header = [
    'invoice_number',
    'state',
    'period',
    'partner_code',
    'partner_name',
    'line_no',
    'kind',
    'usage_period',
    'product_code',
    'product_name',
    'charge_unit',
    'charge_label',
    'purpose',
    'units',
    'unit_price_fen',
    'precise_fen',
    'amount_fen',
    'amount_yuan',
    'waived_fen',
    'unpriced',
  ]
  const rows: CsvValue[][] = [header]
  const head = [invoice.number ?? '', invoice.state, invoice.period, invoice.partner.code, invoice.partner.name]
  for (const l of invoice.lines) {
    rows.push([
      ...head,
      l.lineNo,
      LINE_KIND_LABELS[l.kind].zh,
      l.usagePeriod,
      l.product,
      l.productNameZh,
      l.charge,
      CHARGE_UNIT_LABELS[l.charge].zh,
      PURPOSE_LABELS[l.purpose].zh,
      l.units,
      l.unitPrice,
      l.preciseFen,
      l.amountFen,
      fenToYuanPlain(l.amountFen),
      l.waivedFen,
      l.unpriced,
    ])
  }
  const total = (label: string, fen: number) => [
    ...head,
    '',
    label,
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    fen,
    fenToYuanPlain(fen),
    '',
    '',
  ]
  rows.push(total('小计 subtotal', invoice.subtotalFen))
  rows.push(total(`增值税 VAT ${invoice.vatRate}`, invoice.vatFen))
  rows.push(total('合计 total', invoice.totalFen))
  rows.push([...head, '', '公益减免 waived (not charged)', '', '', '', '', '', '', '', '', '', '', '', invoice.waivedFen, ''])
  return renderCsv(rows)
}
