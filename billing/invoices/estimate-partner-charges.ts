import type { Db } from '#db/client.ts'
import { periodOf } from '../periods/billing-period.ts'
import type { InvoiceView } from './invoice-view.ts'
import { previewBillingPeriod } from './preview-billing-period.ts'

export interface PartnerEstimate {
  period: string
  /** Null when the partner has no usage and no fixed fee this period. */
  invoice: InvoiceView | null
}

/** The partner's current-period usage and estimated charges: a preview of the open period for that partner only. */
export async function estimatePartnerCharges(db: Db, opts: { partnerId: string; now?: number }): Promise<PartnerEstimate> {
  const period = periodOf(opts.now ?? Date.now()).period
  const preview = await previewBillingPeriod(db, { period, partnerId: opts.partnerId })
  // The open period can only be refused if someone closed it ahead of time, which close does not allow.
  if (!preview.ok) return { period, invoice: null }
  return { period, invoice: preview.value.invoices.find((i) => i.partner.id === opts.partnerId) ?? null }
}
