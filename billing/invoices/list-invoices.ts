import { and, desc, eq, inArray, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { billingCloses, creditNotes, invoices, partners } from '#db/schema/index.ts'

export interface InvoiceSummary {
  id: string
  number: string | null
  state: 'draft' | 'finalized' | 'voided'
  period: string
  partnerCode: string
  partnerName: string
  events: number
  subtotalFen: number
  vatFen: number
  totalFen: number
  waivedFen: number
  createdAt: number
  finalizedAt: number | null
  creditNoteNumber: string | null
}

/** Invoices, newest period first; a partner's own list passes `partnerId` and leaves drafts out. */
export async function listInvoices(
  db: Db,
  opts: { partnerId?: string | null; period?: string | null; states?: InvoiceSummary['state'][]; limit?: number } = {},
): Promise<InvoiceSummary[]> {
  const where: SQL | undefined = and(
    opts.partnerId ? eq(invoices.partnerId, opts.partnerId) : undefined,
    opts.period ? eq(invoices.period, opts.period) : undefined,
    opts.states ? inArray(invoices.state, opts.states) : undefined,
  )
  return db
    .select({
      id: invoices.id,
      number: invoices.number,
      state: invoices.state,
      period: invoices.period,
      partnerCode: partners.code,
      partnerName: partners.name,
      events: invoices.events,
      subtotalFen: invoices.subtotalFen,
      vatFen: invoices.vatFen,
      totalFen: invoices.totalFen,
      waivedFen: invoices.waivedFen,
      createdAt: invoices.createdAt,
      finalizedAt: invoices.finalizedAt,
      creditNoteNumber: creditNotes.number,
    })
    .from(invoices)
    .innerJoin(partners, eq(partners.id, invoices.partnerId))
    .leftJoin(creditNotes, eq(creditNotes.invoiceId, invoices.id))
    .where(where)
    .orderBy(desc(invoices.period), partners.code)
    .limit(opts.limit ?? 500)
}

export interface CloseSummary {
  period: string
  closedAt: number
  closedBy: string
  eventsRated: number
  lateEvents: number
  unpricedEvents: number
  invoiceCount: number
}

/** Every closed period, newest first. */
export async function listBillingCloses(db: Db): Promise<CloseSummary[]> {
  return db
    .select({
      period: billingCloses.period,
      closedAt: billingCloses.closedAt,
      closedBy: billingCloses.closedByLabel,
      eventsRated: billingCloses.eventsRated,
      lateEvents: billingCloses.lateEvents,
      unpricedEvents: billingCloses.unpricedEvents,
      invoiceCount: billingCloses.invoiceCount,
    })
    .from(billingCloses)
    .orderBy(desc(billingCloses.periodStart))
}
