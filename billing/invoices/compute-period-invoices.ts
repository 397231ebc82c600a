import { and, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { invoiceLines, modelReleases, products, subscriptions } from '#db/schema/index.ts'
import { Decimal } from '../money/decimal.ts'
import { aggregateUsage, earliestEventAt, readWatermark, resolveWatermark } from '../metering/aggregate-usage.ts'
import { periodOf, type BillingPeriod } from '../periods/billing-period.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'
import { rateUsage, type ActiveSubscription, type DraftInvoice, type UnbilledRelease } from '../rating/rate-usage.ts'
import { findVatRate } from '../vat/find-vat-rate.ts'

export interface PreviousClose {
  id: string
  period: string
  periodEnd: number
  watermark: number
  watermarkEventId: string | null
}

export interface PeriodComputation {
  period: BillingPeriod
  watermark: number
  watermarkEventId: string | null
  invoices: DraftInvoice[]
  releaseIds: string[]
  eventsRated: number
  lateEvents: number
  unpricedEvents: number
}

/**
 * What the invoices of `period` are, from the events committed so far: shared by close (which stores it) and preview
 * (which does not). `previousClose` is the last closed period (null before the first close); late events count only
 * for months up to it. With `partnerId` only that partner's invoice is computed (the partner's estimate).
 */
export async function computePeriodInvoices(
  db: Db,
  opts: {
    period: BillingPeriod
    previousClose: PreviousClose | null
    partnerId?: string | null
    onProgress?: (done: number, total: number) => void
    /** An estimate reads the usage rollups plus the events after them (ADR 0047); a close never does. */
    rollups?: boolean
  },
): Promise<PeriodComputation> {
  const { period, previousClose } = opts
  const timeline = await loadPriceTimeline(db)
  const { watermark, eventId } = await readWatermark(db)
  const previousWatermark = previousClose
    ? await resolveWatermark(db, previousClose.watermark, previousClose.watermarkEventId)
    : 0
  const lateHorizon = previousClose ? Math.min(previousClose.periodEnd, period.start) : period.start

  // Windows: month starts (so each window lies in one month), the period's end, and every price or ceiling change.
  const earliest = Math.min((await earliestEventAt(db)) ?? period.start, period.start)
  const points = new Set<number>([period.end])
  for (let m = periodOf(earliest); m.start <= period.start; m = periodOf(m.end)) points.add(m.start)
  const floor = periodOf(earliest).start
  for (const b of timeline.breakpoints()) if (b > floor && b < period.end) points.add(b)
  const breakpoints = [...points].sort((a, b) => a - b)

  const groups = await aggregateUsage(db, {
    period,
    watermark,
    previousWatermark,
    lateHorizon,
    breakpoints,
    partnerId: opts.partnerId,
    onProgress: opts.onProgress,
    rollups: opts.rollups,
  })

  const partnerFilter = opts.partnerId ? eq(subscriptions.partnerId, opts.partnerId) : undefined
  const subs = await db
    .select({
      subscriptionId: subscriptions.id,
      partnerId: subscriptions.partnerId,
      productId: subscriptions.productId,
      purpose: subscriptions.purpose,
      startedAt: sql<number>`coalesce(${subscriptions.decidedAt}, ${subscriptions.createdAt})`,
    })
    .from(subscriptions)
    .where(
      and(
        partnerFilter,
        inArray(subscriptions.state, ['active', 'ended']),
        lt(sql`coalesce(${subscriptions.decidedAt}, ${subscriptions.createdAt})`, period.end),
        or(isNull(subscriptions.endedAt), gte(subscriptions.endedAt, period.start)),
      ),
    )
  const active: ActiveSubscription[] = subs.map((s) => ({ ...s, startedAt: Number(s.startedAt) }))

  const releases: UnbilledRelease[] = await db
    .select({
      id: modelReleases.id,
      subscriptionId: modelReleases.subscriptionId,
      partnerId: modelReleases.partnerId,
      productId: modelReleases.productId,
      purpose: modelReleases.purpose,
      releasedAt: modelReleases.releasedAt,
    })
    .from(modelReleases)
    .where(
      and(
        isNull(modelReleases.billedCloseId),
        lt(modelReleases.releasedAt, period.end),
        opts.partnerId ? eq(modelReleases.partnerId, opts.partnerId) : undefined,
      ),
    )

  // Units of earlier months already billed, for tiers and packages of late usage.
  const earlierMonths = new Set<string>()
  for (const g of groups) {
    const from = g.window === 0 ? earliest : breakpoints[g.window - 1]!
    if (from < period.start) earlierMonths.add(periodOf(from).period)
  }
  for (const r of releases) if (r.releasedAt < period.start) earlierMonths.add(periodOf(r.releasedAt).period)
  const alreadyBilled = new Map<string, Decimal>()
  if (earlierMonths.size > 0) {
    const billed = await db
      .select({
        subscriptionId: invoiceLines.subscriptionId,
        chargeUnit: invoiceLines.chargeUnit,
        usagePeriod: invoiceLines.usagePeriod,
        quantity: invoiceLines.quantity,
      })
      .from(invoiceLines)
      .where(and(eq(invoiceLines.unpriced, false), inArray(invoiceLines.usagePeriod, [...earlierMonths])))
    for (const b of billed) {
      const key = `${b.subscriptionId}|${b.chargeUnit}|${b.usagePeriod}`
      alreadyBilled.set(key, (alreadyBilled.get(key) ?? new Decimal(0)).plus(b.quantity))
    }
  }

  const productRows = await db.select({ id: products.id, code: products.code }).from(products)
  const invoices = rateUsage({
    period,
    breakpoints,
    groups,
    timeline,
    alreadyBilled,
    subscriptions: active,
    releases,
    vatRate: await findVatRate(db, { at: period.start }),
    productOrder: new Map(productRows.map((p) => [p.id, p.code])),
  })

  let eventsRated = 0
  let lateEvents = 0
  for (const g of groups) {
    eventsRated += g.events
    const from = g.window === 0 ? earliest : breakpoints[g.window - 1]!
    if (from < period.start) lateEvents += g.events
  }
  let unpricedEvents = 0
  for (const inv of invoices) for (const l of inv.lines) if (l.unpriced) unpricedEvents += l.events
  return {
    period,
    watermark,
    watermarkEventId: eventId,
    invoices,
    releaseIds: releases.map((r) => r.id),
    eventsRated,
    lateEvents,
    unpricedEvents,
  }
}
