import { and, gte, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { COST_CATEGORIES, costEntries, modelReleases, usageEvents, type CostCategory } from '#db/schema/index.ts'
import { Decimal } from '../money/decimal.ts'
import { parsePeriod } from '../periods/billing-period.ts'

export interface Volumes {
  calls: number
  records: number
  fieldsMasked: number
  exportBytes: number
  modelReleases: number
}

/** Fen per unit (decimal text, 6 places), or null when there is no cost or no volume to divide by. */
export interface UnitCosts {
  call: string | null
  record: string | null
  masked_field: string | null
  mb_exported: string | null
  model_release: string | null
}

export interface CostBasis {
  periods: string[]
  /** Net cost per category (fen), the latest entry of each period and category. */
  costs: Record<CostCategory, number>
  volumes: Volumes
  unitCosts: UnitCosts
  perPeriod: { period: string; costs: Record<CostCategory, number>; volumes: Volumes; unitCosts: UnitCosts }[]
}

export const BYTES_PER_MB = 1_000_000

const emptyCosts = (): Record<CostCategory, number> =>
  Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>

function per(costFen: number, volume: Decimal): string | null {
  if (costFen <= 0 || volume.lessThanOrEqualTo(0)) return null
  return new Decimal(costFen).dividedBy(volume).toDecimalPlaces(6).toFixed()
}

/**
 * Art. 22 cost basis: the operator's net costs over the given periods divided by the metered volumes of the same
 * periods (all purposes: free use costs the same to serve). Infrastructure (compute + storage + bandwidth) is
 * expressed per call and, as an alternative basis, per record; desensitization per masked field; result export per
 * MB exported (1 MB = 1,000,000 bytes); model release per release.
 */
export function unitCostsOf(costs: Record<CostCategory, number>, volumes: Volumes): UnitCosts {
  const infrastructure = costs.compute + costs.storage + costs.bandwidth
  return {
    call: per(infrastructure, new Decimal(volumes.calls)),
    record: per(infrastructure, new Decimal(volumes.records)),
    masked_field: per(costs.desensitization, new Decimal(volumes.fieldsMasked)),
    mb_exported: per(costs.result_export, new Decimal(volumes.exportBytes).dividedBy(BYTES_PER_MB)),
    model_release: per(costs.model_release, new Decimal(volumes.modelReleases)),
  }
}

export async function deriveUnitCosts(db: Db, opts: { periods: string[] }): Promise<CostBasis> {
  const periods = [...new Set(opts.periods)].filter((p) => parsePeriod(p)).sort()
  const perPeriod: CostBasis['perPeriod'] = []
  const totalCosts = emptyCosts()
  const totalVolumes: Volumes = { calls: 0, records: 0, fieldsMasked: 0, exportBytes: 0, modelReleases: 0 }
  const entries =
    periods.length === 0
      ? []
      : await db
          .select({
            period: costEntries.period,
            category: costEntries.category,
            supply: costEntries.supply,
            netFen: costEntries.netFen,
          })
          .from(costEntries)
          .where(inArray(costEntries.period, periods))
          .orderBy(sql`cost_entries.rowid`)
  for (const period of periods) {
    const bounds = parsePeriod(period)!
    const costs = emptyCosts()
    // Ordered oldest first: the latest entry of a category and supply overwrites the earlier ones; the supplies of a
    // category add up (unit costs serve every purpose: ADR 0036 leaves them as Art. 22 counts them).
    const latest = new Map<string, { category: CostCategory; netFen: number }>()
    for (const e of entries) if (e.period === period) latest.set(`${e.category}|${e.supply}`, e)
    for (const e of latest.values()) costs[e.category] += e.netFen
    const [v] = await db
      .select({
        calls: sql<number>`coalesce(sum(${usageEvents.calls}), 0)`,
        records: sql<number>`coalesce(sum(${usageEvents.records}), 0)`,
        fieldsMasked: sql<number>`coalesce(sum(${usageEvents.fieldsMasked}), 0)`,
        exportBytes: sql<number>`coalesce(sum(${usageEvents.exportBytes}), 0)`,
      })
      .from(usageEvents)
      .where(and(gte(usageEvents.at, bounds.start), lt(usageEvents.at, bounds.end)))
    const [r] = await db
      .select({ n: sql<number>`count(*)` })
      .from(modelReleases)
      .where(and(gte(modelReleases.releasedAt, bounds.start), lt(modelReleases.releasedAt, bounds.end)))
    const volumes: Volumes = {
      calls: Number(v?.calls ?? 0),
      records: Number(v?.records ?? 0),
      fieldsMasked: Number(v?.fieldsMasked ?? 0),
      exportBytes: Number(v?.exportBytes ?? 0),
      modelReleases: Number(r?.n ?? 0),
    }
    for (const c of COST_CATEGORIES) totalCosts[c] += costs[c]
    totalVolumes.calls += volumes.calls
    totalVolumes.records += volumes.records
    totalVolumes.fieldsMasked += volumes.fieldsMasked
    totalVolumes.exportBytes += volumes.exportBytes
    totalVolumes.modelReleases += volumes.modelReleases
    perPeriod.push({ period, costs, volumes, unitCosts: unitCostsOf(costs, volumes) })
  }
  return { periods, costs: totalCosts, volumes: totalVolumes, unitCosts: unitCostsOf(totalCosts, totalVolumes), perPeriod }
}
