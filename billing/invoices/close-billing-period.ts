import { randomUUID } from 'node:crypto'
import { desc, eq, inArray } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { billingCloses, invoiceLines, invoices, modelReleases } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { nextPeriod, parsePeriod, previousPeriod, type BillingPeriod } from '../periods/billing-period.ts'
import { computePeriodInvoices, type PreviousClose } from './compute-period-invoices.ts'
import { loadInvoiceViews, type InvoiceView } from './invoice-view.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

export interface ClosedPeriod {
  period: string
  /** True when the period had been closed before: nothing was changed. */
  alreadyClosed: boolean
  closedAt: number
  closedBy: string
  watermark: number
  eventsRated: number
  lateEvents: number
  unpricedEvents: number
  invoices: InvoiceView[]
}

const LINES_PER_INSERT = 100

async function closedPeriod(db: Db, period: string, alreadyClosed: boolean): Promise<ClosedPeriod | null> {
  const [close] = await db.select().from(billingCloses).where(eq(billingCloses.period, period))
  if (!close) return null
  return {
    period,
    alreadyClosed,
    closedAt: close.closedAt,
    closedBy: close.closedByLabel,
    watermark: close.watermark,
    eventsRated: close.eventsRated,
    lateEvents: close.lateEvents,
    unpricedEvents: close.unpricedEvents,
    invoices: await loadInvoiceViews(db, { closeId: close.id }),
  }
}

/** The last closed period (the one with the latest start), or null before the first close. */
export async function findLastClose(db: Db): Promise<PreviousClose | null> {
  const [last] = await db
    .select({
      id: billingCloses.id,
      period: billingCloses.period,
      periodEnd: billingCloses.periodEnd,
      watermark: billingCloses.watermark,
      watermarkEventId: billingCloses.watermarkEventId,
    })
    .from(billingCloses)
    .orderBy(desc(billingCloses.periodStart))
    .limit(1)
  return last ?? null
}

/**
 * Whether `period` can be closed now: a valid YYYY-MM that has ended, and the month after the last closed one (or any
 * month before the first close). A closed period answers its stored close (`existing`).
 */
export async function checkPeriodClosable(
  db: Db,
  opts: { period: string; now: number },
): Promise<Result<{ period: BillingPeriod; last: PreviousClose | null; existing: ClosedPeriod | null }>> {
  const period = parsePeriod(opts.period)
  if (!period) return fail('validation', 'invalid_period', 'The period must be YYYY-MM', { period: 'invalid_period' })
  const existing = await closedPeriod(db, period.period, true)
  if (existing) return ok({ period, last: null, existing })
  if (opts.now < period.end)
    return fail('validation', 'period_not_ended', `${period.period} has not ended yet`, { period: 'period_not_ended' })
  const last = await findLastClose(db)
  if (last && last.periodEnd > period.start) {
    return fail(
      'conflict',
      'period_before_first_close',
      `${period.period} is before the first closed period; its usage was billed by that close`,
      {
        period: 'period_before_first_close',
      },
    )
  }
  if (last && last.period !== previousPeriod(period).period) {
    const expected = nextPeriod(parsePeriod(last.period)!).period
    return fail('conflict', 'previous_period_open', `Close ${expected} first: periods close in order`, {
      period: 'previous_period_open',
      expected,
    })
  }
  return ok({ period, last, existing: null })
}

/**
 * Closes a billing period (a calendar month, Asia/Shanghai): rates every usage event of the period committed so far,
 * plus late events of closed months committed since the previous close (adjustment lines), and stores one draft
 * invoice per partner with usage or fixed fees, all in one atomic batch with its audit entry.
 *
 * Idempotent: closing a closed period changes nothing and returns what was stored (`alreadyClosed`). Periods close in
 * order (the month after the last closed one) and only once they have ended. See docs/decisions/0010.
 */
export async function closeBillingPeriod(
  db: Db,
  opts: {
    period: string
    actor: Actor
    requestId?: string | null
    now?: number
    onProgress?: (done: number, total: number) => void
  },
): Promise<Result<ClosedPeriod>> {
  const denied = refuseUnlessPermitted(opts.actor, 'billing_period.close')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const checked = await checkPeriodClosable(db, { period: opts.period, now })
  if (!checked.ok) return checked
  if (checked.value.existing) return ok(checked.value.existing)
  const { period, last } = checked.value

  const computed = await computePeriodInvoices(db, { period, previousClose: last, onProgress: opts.onProgress })
  const closeId = randomUUID()
  const statements: BatchItem<'sqlite'>[] = [
    db.insert(billingCloses).values({
      id: closeId,
      period: period.period,
      periodStart: period.start,
      periodEnd: period.end,
      watermark: computed.watermark,
      watermarkEventId: computed.watermarkEventId,
      previousCloseId: last?.id ?? null,
      eventsRated: computed.eventsRated,
      lateEvents: computed.lateEvents,
      unpricedEvents: computed.unpricedEvents,
      invoiceCount: computed.invoices.length,
      closedByLabel: opts.actor.label,
      closedAt: now,
    }),
  ]
  for (const draft of computed.invoices) {
    const invoiceId = randomUUID()
    statements.push(
      db.insert(invoices).values({
        id: invoiceId,
        partnerId: draft.partnerId,
        closeId,
        period: period.period,
        state: 'draft',
        vatRate: draft.vatRate,
        subtotalFen: draft.subtotalFen,
        vatFen: draft.vatFen,
        totalFen: draft.totalFen,
        waivedFen: draft.waivedFen,
        events: draft.events,
        createdAt: now,
      }),
    )
    const rows = draft.lines.map((l, i) => ({
      id: randomUUID(),
      invoiceId,
      lineNo: i + 1,
      kind: l.kind,
      subscriptionId: l.subscriptionId,
      productId: l.productId,
      chargeUnit: l.chargeUnit,
      purpose: l.purpose,
      usagePeriod: l.usagePeriod,
      windowFrom: l.windowFrom,
      windowTo: l.windowTo,
      priceBookId: l.priceBookId,
      priceBookVersion: l.priceBookVersion,
      model: l.model,
      pricing: l.pricing,
      cappedAtCeiling: l.cappedAtCeiling,
      events: l.events,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      preciseFen: l.preciseFen,
      amountFen: l.amountFen,
      waivedFen: l.waivedFen,
      unpriced: l.unpriced,
    }))
    for (let i = 0; i < rows.length; i += LINES_PER_INSERT)
      statements.push(db.insert(invoiceLines).values(rows.slice(i, i + LINES_PER_INSERT)))
  }
  if (computed.releaseIds.length > 0) {
    statements.push(
      db.update(modelReleases).set({ billedCloseId: closeId }).where(inArray(modelReleases.id, computed.releaseIds)),
    )
  }
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'billing.close',
        objectType: 'billing_period',
        objectId: period.period,
        requestId: opts.requestId,
        detail: {
          period: period.period,
          invoices: computed.invoices.length,
          subtotalFen: computed.invoices.reduce((s, i) => s + i.subtotalFen, 0),
          totalFen: computed.invoices.reduce((s, i) => s + i.totalFen, 0),
          waivedFen: computed.invoices.reduce((s, i) => s + i.waivedFen, 0),
          eventsRated: computed.eventsRated,
          lateEvents: computed.lateEvents,
          unpricedEvents: computed.unpricedEvents,
          watermark: computed.watermark,
        },
      },
      statements,
    )
  } catch (error) {
    // Another process closed the same period first: its close stands, ours is dropped whole.
    if (errorText(error).includes('billing_closes.period')) {
      const raced = await closedPeriod(db, period.period, true)
      if (raced) return ok(raced)
    }
    throw error
  }
  return ok((await closedPeriod(db, period.period, false))!)
}
