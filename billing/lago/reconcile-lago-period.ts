import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { invoiceLines, invoices } from '#db/schema/index.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { Decimal } from '../money/decimal.ts'
import { parsePeriod } from '../periods/billing-period.ts'
import { LAGO_METRIC_CODES } from './enqueue-lago-events.ts'

/** What Lago received for one subscription and metric in the period (sum of the events' `value`). */
export interface LagoUsageRow {
  externalSubscriptionId: string
  code: string
  units: string
  events: number
}

export interface ReconciliationRow {
  subscriptionId: string
  chargeUnit: string
  ourUnits: string
  lagoUnits: string
  ourEvents: number
  lagoEvents: number
  amountFen: number
  waivedFen: number
  /** False: no line of ours prices this meter for the subscription (Lago has the units, our price book does not charge them). */
  billed: boolean
  matches: boolean
}

export interface Reconciliation {
  period: string
  rows: ReconciliationRow[]
  mismatches: number
  /** Our invoices of the period (not voided): subtotal and total in fen. */
  invoiceSubtotalFen: number
  invoiceTotalFen: number
  lagoEvents: number
}

/**
 * Compares a closed period's invoices with what Lago received for the same period: per subscription and meter, the
 * units on our invoice lines of that usage month (current and late lines) against the sum of Lago's events in it.
 * A meter our price book does not charge (no line) is listed with Lago's units, `billed: false`, and not counted as a
 * mismatch.
 */
export async function reconcileLagoPeriod(
  db: Db,
  opts: { period: string; lagoUsage: LagoUsageRow[] },
): Promise<Result<Reconciliation>> {
  const period = parsePeriod(opts.period)
  if (!period) return fail('validation', 'invalid_period', 'The period must be YYYY-MM', { period: 'invalid_period' })
  const ours = await db
    .select({
      subscriptionId: invoiceLines.subscriptionId,
      chargeUnit: invoiceLines.chargeUnit,
      quantity: invoiceLines.quantity,
      events: invoiceLines.events,
      amountFen: invoiceLines.amountFen,
      waivedFen: invoiceLines.waivedFen,
    })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(
      and(
        eq(invoiceLines.usagePeriod, period.period),
        inArray(invoiceLines.kind, ['usage', 'adjustment']),
        inArray(invoices.state, ['draft', 'finalized']),
      ),
    )
  const totals = await db
    .select({ subtotalFen: invoices.subtotalFen, totalFen: invoices.totalFen })
    .from(invoices)
    .where(and(eq(invoices.period, period.period), inArray(invoices.state, ['draft', 'finalized'])))
  const unitOfCode = new Map(Object.entries(LAGO_METRIC_CODES).map(([unit, code]) => [code as string, unit]))
  const rows = new Map<string, ReconciliationRow>()
  const row = (subscriptionId: string, chargeUnit: string) => {
    const key = `${subscriptionId}:${chargeUnit}`
    let r = rows.get(key)
    if (!r)
      rows.set(
        key,
        (r = {
          subscriptionId,
          chargeUnit,
          ourUnits: '0',
          lagoUnits: '0',
          ourEvents: 0,
          lagoEvents: 0,
          amountFen: 0,
          waivedFen: 0,
          billed: false,
          matches: false,
        }),
      )
    return r
  }
  for (const l of ours) {
    const r = row(l.subscriptionId, l.chargeUnit)
    r.ourUnits = new Decimal(r.ourUnits).plus(l.quantity).toFixed()
    r.ourEvents += l.events
    r.amountFen += l.amountFen
    r.waivedFen += l.waivedFen
    r.billed = true
  }
  let lagoEvents = 0
  for (const u of opts.lagoUsage) {
    const unit = unitOfCode.get(u.code) ?? u.code
    const r = row(u.externalSubscriptionId, unit)
    r.lagoUnits = new Decimal(r.lagoUnits).plus(u.units).toFixed()
    r.lagoEvents += u.events
    lagoEvents += u.events
  }
  let mismatches = 0
  for (const r of rows.values()) {
    r.matches = !r.billed || new Decimal(r.ourUnits).eq(r.lagoUnits)
    if (!r.matches) mismatches++
  }
  return ok({
    period: period.period,
    rows: [...rows.values()].sort(
      (a, b) => a.subscriptionId.localeCompare(b.subscriptionId) || a.chargeUnit.localeCompare(b.chargeUnit),
    ),
    mismatches,
    invoiceSubtotalFen: totals.reduce((s, i) => s + i.subtotalFen, 0),
    invoiceTotalFen: totals.reduce((s, i) => s + i.totalFen, 0),
    lagoEvents,
  })
}
