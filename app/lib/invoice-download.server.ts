import type { InvoiceView } from '#billing/invoices/invoice-view.ts'
import { renderInvoiceCsv, renderInvoicePdf } from '#app/domain.server.ts'

const CONTENT_TYPE = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const

/** An invoice as a download (the operator's and the partner's CSV and PDF routes): named by its number, never cached. */
export async function invoiceDownload(invoice: InvoiceView, format: 'csv' | 'pdf'): Promise<Response> {
  const name = `${invoice.number ?? `draft-${invoice.partner.code}-${invoice.period}`}.${format}`
  const body = format === 'csv' ? renderInvoiceCsv(invoice) : new Uint8Array(await renderInvoicePdf(invoice))
  return new Response(body, {
    headers: {
      'content-type': CONTENT_TYPE[format],
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
    },
  })
}
