import type { Db } from '#db/client.ts'
import { loadInvoiceViews, type InvoiceView } from './invoice-view.ts'

/**
 * One invoice with its lines. With `partnerId` (a partner's own view) another partner's invoice, and any draft, is
 * not found: drafts are the operator's until finalized.
 */
export async function getInvoice(db: Db, opts: { invoiceId: string; partnerId?: string | null }): Promise<InvoiceView | null> {
  const [invoice] = await loadInvoiceViews(db, { ids: [opts.invoiceId] })
  if (!invoice) return null
  if (opts.partnerId && (invoice.partner.id !== opts.partnerId || invoice.state === 'draft')) return null
  return invoice
}
