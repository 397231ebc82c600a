import { and, desc, inArray, isNotNull, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { costEntries, invoices, revenueCapSettings } from '#db/schema/index.ts'
import { Decimal, roundFen } from '../money/decimal.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'

export interface RevenueCapYear {
  year: number
  /** Σ net cost entries of the year's months (the latest entry per month and category, as derive-unit-costs reads them), fen. */
  operatingCostFen: number
  profitRate: string | null
  taxRate: string | null
  allowedProfitFen: number
  taxesFen: number
  /** Cost + profit + taxes, before the deduction. */
  grossMaximumFen: number
  /** The previous year's excess, deducted from this year's maximum. */
  deductionFen: number
  maximumFen: number
  /** Paid invoices of the year's periods (subtotal, before VAT), fen. */
  paidRevenueFen: number
  /** Finalized but unpaid, fen (shown, not counted). */
  unpaidRevenueFen: number
  /** Paid revenue above the maximum: deducted from next year's maximum. */
  excessFen: number
  usedShare: string | null
  /** No rate set by the bureau for the year yet. */
  unset: boolean
}

/**
 * 65号 maximum allowed revenue per year: operating cost (net of subsidies, from cost entries) + allowed profit (cost ×
 * the bureau's rate) + taxes ((cost + profit) × tax rate), less the previous year's excess; tracked against the
 * paid revenue of the year's billing periods (invoice subtotals, VAT excluded). Years from the first with costs or
 * invoices up to `toYear`, each rounded half-up once per component.
 */
export async function getRevenueCap(db: Db, opts: { now: number; toYear?: number }): Promise<RevenueCapYear[]> {
  const toYear = opts.toYear ?? calendarYear(opts.now)
  const costs = await db.all<{ year: number; net: number }>(sql`
    SELECT CAST(substr(period, 1, 4) AS INTEGER) AS year, sum(net_fen) AS net FROM (
      SELECT period, category, net_fen, row_number() OVER (PARTITION BY period, category ORDER BY rowid DESC) AS rn
      FROM ${costEntries}
    ) WHERE rn = 1 GROUP BY year`)
  const revenue = await db
    .select({
      year: sql<number>`CAST(substr(${invoices.period}, 1, 4) AS INTEGER)`,
      paid: sql<number>`coalesce(sum(CASE WHEN ${invoices.paidAt} IS NOT NULL THEN ${invoices.subtotalFen} END), 0)`,
      unpaid: sql<number>`coalesce(sum(CASE WHEN ${invoices.paidAt} IS NULL THEN ${invoices.subtotalFen} END), 0)`,
    })
    .from(invoices)
    .where(and(inArray(invoices.state, ['finalized']), isNotNull(invoices.number)))
    .groupBy(sql`1`)
  const settings = await db.select().from(revenueCapSettings).orderBy(desc(revenueCapSettings.createdAt))
  const years = [...costs.map((c) => Number(c.year)), ...revenue.map((r) => Number(r.year)), toYear]
  const from = Math.min(...years)
  const out: RevenueCapYear[] = []
  let previousExcess = 0
  for (let year = from; year <= toYear; year++) {
    const cost = Number(costs.find((c) => Number(c.year) === year)?.net ?? 0)
    const setting = settings.find((s) => s.year === year) ?? null
    const profitRate = setting ? new Decimal(setting.profitRate) : new Decimal(0)
    const taxRate = setting ? new Decimal(setting.taxRate) : new Decimal(0)
    const profit = roundFen(new Decimal(cost).times(profitRate))
    const taxes = roundFen(new Decimal(cost + profit).times(taxRate))
    const gross = cost + profit + taxes
    const maximum = Math.max(0, gross - previousExcess)
    const r = revenue.find((x) => Number(x.year) === year)
    const paid = Number(r?.paid ?? 0)
    const excess = Math.max(0, paid - maximum)
    out.push({
      year,
      operatingCostFen: cost,
      profitRate: setting?.profitRate ?? null,
      taxRate: setting?.taxRate ?? null,
      allowedProfitFen: profit,
      taxesFen: taxes,
      grossMaximumFen: gross,
      deductionFen: previousExcess,
      maximumFen: maximum,
      paidRevenueFen: paid,
      unpaidRevenueFen: Number(r?.unpaid ?? 0),
      excessFen: excess,
      usedShare: maximum > 0 ? new Decimal(paid).div(maximum).toDecimalPlaces(4).toFixed() : null,
      unset: setting === null,
    })
    previousExcess = excess
  }
  return out.reverse()
}
