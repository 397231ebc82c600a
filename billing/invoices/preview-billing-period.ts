import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { billingCloses } from '#db/schema/index.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parsePeriod } from '../periods/billing-period.ts'
import { findLastClose } from './close-billing-period.ts'
import { computePeriodInvoices } from './compute-period-invoices.ts'
import { draftsToViews, type InvoiceView } from './invoice-view.ts'

export interface PeriodPreview {
  period: string
  /** The usage_events rowid up to which events were seen. */
  watermark: number
  eventsRated: number
  lateEvents: number
  unpricedEvents: number
  invoices: InvoiceView[]
}

/**
 * The invoices closing `period` would make from the events committed so far, stored nowhere: the same rating as
 * close (one code path). For a period still open (or ended and not yet closed). With `partnerId`, only that partner.
 */
export async function previewBillingPeriod(
  db: Db,
  opts: { period: string; partnerId?: string | null; onProgress?: (done: number, total: number) => void },
): Promise<Result<PeriodPreview>> {
  const period = parsePeriod(opts.period)
  if (!period) return fail('validation', 'invalid_period', 'The period must be YYYY-MM', { period: 'invalid_period' })
  const [closed] = await db.select({ id: billingCloses.id }).from(billingCloses).where(eq(billingCloses.period, period.period))
  if (closed)
    return fail('conflict', 'period_closed', `${period.period} is closed: its invoices are stored`, { period: 'period_closed' })
  const last = await findLastClose(db)
  if (last && last.periodEnd > period.start) {
    return fail('conflict', 'period_before_first_close', `${period.period} is before the first closed period`, {
      period: 'period_before_first_close',
    })
  }
  const computed = await computePeriodInvoices(db, {
    period,
    previousClose: last,
    partnerId: opts.partnerId,
    onProgress: opts.onProgress,
    rollups: true,
  })
  return ok({
    period: period.period,
    watermark: computed.watermark,
    eventsRated: computed.eventsRated,
    lateEvents: computed.lateEvents,
    unpricedEvents: computed.unpricedEvents,
    invoices: await draftsToViews(db, period.period, computed.invoices),
  })
}
