import { and, inArray, isNotNull, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { costEntries, invoices, revenueCapSettings, usageEvents, type CostCategory } from '#db/schema/index.ts'
import { calendarYear, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { computeCapYear, costsOfYear, type CapCostEntry, type CapThreshold } from './cap-arithmetic.ts'

export interface RevenueCapYear {
  year: number
  /** Counted: industrial entries + the industrial share of shared entries (after amortization), net of subsidies, fen. */
  operatingCostFen: number
  /** Costs of the year by supply (after amortization), fen: shown so the counting can be followed (ADR 0036). */
  industrialCostFen: number
  sharedCostFen: number
  publicInterestCostFen: number
  /** The platform construction amortized into the year (all supplies). */
  amortizedFen: number
  byCategory: Partial<Record<CostCategory, number>>
  industrialCalls: number
  publicInterestCalls: number
  /** Industrial calls ÷ all calls of the year (6 places). */
  industrialShare: string
  allocatedSharedFen: number
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
  /** Carried into next year: paid revenue above the maximum, plus a deduction this year could not absorb. */
  excessFen: number
  usedShare: string | null
  /** 80 or 100 when the paid revenue reached that share of the maximum. */
  reached: CapThreshold | null
  /** No rate set by the bureau for the year yet. */
  unset: boolean
}

/**
 * 65号 maximum allowed revenue per year, counted as ADR 0036 says: only the cost of industrial supply (industrial
 * entries, plus shared entries allocated by the year's industrial share of calls; platform construction amortized),
 * + allowed profit + taxes, less the previous year's excess; tracked against the paid revenue of the year's billing
 * periods (invoice subtotals, VAT excluded). Years from the first with costs or invoices up to `toYear`, newest first.
 */
export async function getRevenueCap(db: Db, opts: { now: number; toYear?: number }): Promise<RevenueCapYear[]> {
  const toYear = opts.toYear ?? calendarYear(opts.now)
  // The latest entry per period, category and supply counts (a correction supersedes).
  const entries = (
    await db.all<{ period: string; category: string; supply: string; net: number; years: number | null }>(sql`
      SELECT period, category, supply, net_fen AS net, amortization_years AS years FROM (
        SELECT period, category, supply, net_fen, amortization_years,
          row_number() OVER (PARTITION BY period, category, supply ORDER BY rowid DESC) AS rn
        FROM ${costEntries}
      ) WHERE rn = 1`)
  ).map((r): CapCostEntry => ({
    period: r.period,
    category: r.category as CapCostEntry['category'],
    supply: r.supply as CapCostEntry['supply'],
    netFen: Number(r.net),
    amortizationYears: r.years === null ? null : Number(r.years),
  }))
  const revenue = await db
    .select({
      year: sql<number>`CAST(substr(${invoices.period}, 1, 4) AS INTEGER)`,
      paid: sql<number>`coalesce(sum(CASE WHEN ${invoices.paidAt} IS NOT NULL THEN ${invoices.subtotalFen} END), 0)`,
      unpaid: sql<number>`coalesce(sum(CASE WHEN ${invoices.paidAt} IS NULL THEN ${invoices.subtotalFen} END), 0)`,
    })
    .from(invoices)
    .where(and(inArray(invoices.state, ['finalized']), isNotNull(invoices.number)))
    .groupBy(sql`1`)
  const settings = await db
    .select({ year: revenueCapSettings.year, profitRate: revenueCapSettings.profitRate, taxRate: revenueCapSettings.taxRate })
    .from(revenueCapSettings)
    .orderBy(sql`${revenueCapSettings.createdAt} DESC, rowid DESC`)
  const years = [...entries.map((e) => Number(e.period.slice(0, 4))), ...revenue.map((r) => Number(r.year)), toYear]
  const from = Math.min(...years)
  const out: RevenueCapYear[] = []
  let carried = 0
  for (let year = from; year <= toYear; year++) {
    const costs = costsOfYear(entries, year)
    const calls = await callsOfYear(db, year)
    const setting = settings.find((s) => s.year === year) ?? null
    const r = revenue.find((x) => Number(x.year) === year)
    const paid = Number(r?.paid ?? 0)
    const f = computeCapYear({
      costs,
      industrialCalls: calls.industrial,
      publicInterestCalls: calls.publicInterest,
      profitRate: setting?.profitRate ?? null,
      taxRate: setting?.taxRate ?? null,
      paidRevenueFen: paid,
      carriedInFen: carried,
    })
    out.push({
      year,
      ...f,
      industrialCostFen: costs.industrialFen,
      sharedCostFen: costs.sharedFen,
      publicInterestCostFen: costs.publicInterestFen,
      amortizedFen: costs.amortizedFen,
      byCategory: costs.byCategory,
      industrialCalls: calls.industrial,
      publicInterestCalls: calls.publicInterest,
      profitRate: setting?.profitRate ?? null,
      taxRate: setting?.taxRate ?? null,
      paidRevenueFen: paid,
      unpaidRevenueFen: Number(r?.unpaid ?? 0),
      unset: setting === null,
    })
    carried = f.excessFen
  }
  return out.reverse()
}

/** The year's metered calls by purpose (the volume shared costs are allocated by), over the `at` index. */
async function callsOfYear(db: Db, year: number): Promise<{ industrial: number; publicInterest: number }> {
  const rows = await db
    .select({ purpose: usageEvents.purpose, calls: sql<number>`coalesce(sum(${usageEvents.calls}), 0)` })
    .from(usageEvents)
    .where(sql`${usageEvents.at} >= ${fromLocal(year, 1, 1)} AND ${usageEvents.at} < ${fromLocal(year + 1, 1, 1)}`)
    .groupBy(usageEvents.purpose)
  return {
    industrial: Number(rows.find((r) => r.purpose === 'industrial')?.calls ?? 0),
    publicInterest: Number(rows.find((r) => r.purpose === 'public_interest')?.calls ?? 0),
  }
}
