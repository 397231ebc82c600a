import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { ReportPeriod } from '../periods/report-period.ts'
import { breakdown, figure, groupBy, type Figure, type FigureRow, type ReportSection } from './figure-types.ts'
import { lineageCodes, type UsageGroup } from './usage-groups.ts'

// Data interaction (Art. 8, 24): calls by product, partner, purpose, source unit and month; refusals by reason.

export type Names = Map<string, { code: string; name: string }>

const total = (groups: UsageGroup[]) => groups.reduce((s, g) => s + g.calls, 0)

function callsBy(key: string, groups: UsageGroup[], keyOf: (g: UsageGroup) => string, names?: Names): Figure {
  return breakdown(
    key,
    'count',
    [...groupBy(groups, keyOf)].map(([k, gs]): FigureRow => {
      const named = names?.get(k)
      return { key: named?.code ?? k, label: named?.name ?? k, value: total(gs) }
    }),
  )
}

export const callsTotal = (groups: UsageGroup[]): Figure => figure('calls_total', 'count', total(groups))
export const callsByProduct = (groups: UsageGroup[], products: Names) =>
  callsBy('calls_by_product', groups, (g) => g.productId, products)
export const callsByPartner = (groups: UsageGroup[], partners: Names) =>
  callsBy('calls_by_partner', groups, (g) => g.partnerId, partners)
export const callsByPurpose = (groups: UsageGroup[]) => callsBy('calls_by_purpose', groups, (g) => g.purpose)

/** Months in calendar order (not by size): a chart's x axis. Every month of the period has a row, 0 when quiet. */
export function callsByMonth(groups: UsageGroup[], p: ReportPeriod): Figure {
  const byMonth = groupBy(groups, (g) => g.month)
  const rows = p.months.map((m) => ({ key: m, label: m, value: total(byMonth.get(m) ?? []) }))
  return { key: 'calls_by_month', unit: 'count', value: total(groups), rows }
}

/**
 * A call counts once for each source unit whose data it drew on (lineage): the rows may add up to more than the calls.
 * The figure's value is the sum of its rows, so the sheet adds up; `calls_total` is the number of calls.
 */
export function callsBySourceUnit(groups: UsageGroup[], units: Map<string, string>): Figure {
  const counts = new Map<string, number>()
  for (const g of groups) for (const code of lineageCodes(g.sourceUnitCodes)) counts.set(code, (counts.get(code) ?? 0) + g.calls)
  return breakdown(
    'calls_by_source_unit',
    'count',
    [...counts].map(([code, value]) => ({ key: code, label: units.get(code) ?? code, value })),
  )
}

export interface RefusalGroup {
  code: string
  refusals: number
}

/** Refusals by reason: logged refusals of a real key, and the counted anonymous ones (ADR 0014), together. */
export const refusalsByReason = (groups: RefusalGroup[]): Figure =>
  breakdown(
    'refusals_by_reason',
    'count',
    [...groupBy(groups, (g) => g.code)].map(([code, gs]) => ({
      key: code,
      label: code,
      value: gs.reduce((s, g) => s + g.refusals, 0),
    })),
  )

export async function findRefusalGroups(db: Db, p: ReportPeriod): Promise<RefusalGroup[]> {
  return db.all<RefusalGroup>(sql`
    SELECT code, count(*) AS refusals FROM rejected_calls WHERE at >= ${p.start} AND at < ${p.end} GROUP BY code
    UNION ALL
    SELECT code, sum(count) AS refusals FROM rejected_call_buckets WHERE minute >= ${p.start} AND minute < ${p.end} GROUP BY code`)
}

export function interactionSection(
  groups: UsageGroup[],
  refusals: RefusalGroup[],
  p: ReportPeriod,
  names: { products: Names; partners: Names; units: Map<string, string> },
): ReportSection {
  return {
    key: 'interaction',
    figures: [
      callsTotal(groups),
      callsByMonth(groups, p),
      callsByProduct(groups, names.products),
      callsByPartner(groups, names.partners),
      callsByPurpose(groups),
      callsBySourceUnit(groups, names.units),
      refusalsByReason(refusals),
    ],
  }
}
