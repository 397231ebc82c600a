import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  datasetLoads,
  datasets,
  demandItems,
  demandItemTransitions,
  productDatasets,
  products,
  sourceUnits,
  usageEvents,
} from '#db/schema/index.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import type { Period } from '../evaluation-rules.ts'

// The figures the platform measures for a source unit over a period (Art. 19: approvals, calls, data quality, use),
// each one query over its own records. ADR 0034.

export interface SourceUnitScope {
  sourceUnitId: string
  period: Period
}

/** Demand items this unit decided (granted or refused) in the period: the transitions into either state. */
export async function countDemandItemsDecided(db: Db, s: SourceUnitScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(demandItemTransitions)
    .innerJoin(demandItems, eq(demandItems.id, demandItemTransitions.itemId))
    .where(
      and(
        eq(demandItems.sourceUnitId, s.sourceUnitId),
        inArray(demandItemTransitions.toState, ['granted', 'refused']),
        gte(demandItemTransitions.at, s.period.start),
        lt(demandItemTransitions.at, s.period.end),
      ),
    )
  return Number(row?.n ?? 0)
}

/**
 * The mean time in days (one decimal) from an item reaching the unit (the bureau's approval) to the unit's decision,
 * over the items decided in the period; null when none was.
 */
export async function meanDaysToDecision(db: Db, s: SourceUnitScope): Promise<number | null> {
  const decided = await db
    .select({ itemId: demandItemTransitions.itemId, at: demandItemTransitions.at })
    .from(demandItemTransitions)
    .innerJoin(demandItems, eq(demandItems.id, demandItemTransitions.itemId))
    .where(
      and(
        eq(demandItems.sourceUnitId, s.sourceUnitId),
        inArray(demandItemTransitions.toState, ['granted', 'refused']),
        gte(demandItemTransitions.at, s.period.start),
        lt(demandItemTransitions.at, s.period.end),
      ),
    )
  if (decided.length === 0) return null
  const arrivals = await db
    .select({ itemId: demandItemTransitions.itemId, at: demandItemTransitions.at })
    .from(demandItemTransitions)
    .where(
      and(
        inArray(
          demandItemTransitions.itemId,
          decided.map((d) => d.itemId),
        ),
        eq(demandItemTransitions.toState, 'approved'),
      ),
    )
  let total = 0
  let n = 0
  for (const d of decided) {
    // The latest approval before the decision (an item returned and approved again counts from its last approval).
    const arrived = arrivals.filter((a) => a.itemId === d.itemId && a.at <= d.at).reduce((m, a) => Math.max(m, a.at), -1)
    if (arrived < 0) continue
    total += d.at - arrived
    n++
  }
  return n === 0 ? null : Math.round((total / n / DAY_MS) * 10) / 10
}

/** Answered calls (status < 400) in the period whose lineage names this unit. */
export async function countCallsOnDatasets(db: Db, s: SourceUnitScope): Promise<number> {
  const [unit] = await db.select({ code: sourceUnits.code }).from(sourceUnits).where(eq(sourceUnits.id, s.sourceUnitId))
  if (!unit) return 0
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${usageEvents.calls}), 0)` })
    .from(usageEvents)
    .where(
      and(
        gte(usageEvents.at, s.period.start),
        lt(usageEvents.at, s.period.end),
        lt(usageEvents.status, 400),
        sql`(',' || ${usageEvents.sourceUnitCodes} || ',') LIKE ${`%,${unit.code},%`}`,
      ),
    )
  return Number(row?.n ?? 0)
}

const loadsOfUnit = (s: SourceUnitScope) =>
  and(
    eq(datasets.sourceUnitId, s.sourceUnitId),
    gte(datasetLoads.startedAt, s.period.start),
    lt(datasetLoads.startedAt, s.period.end),
  )

/** Loads of its datasets started in the period that failed or were rejected. */
export async function countFailedLoads(db: Db, s: SourceUnitScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(datasetLoads)
    .innerJoin(datasets, eq(datasets.id, datasetLoads.datasetId))
    .where(and(loadsOfUnit(s), inArray(datasetLoads.state, ['failed', 'rejected'])))
  return Number(row?.n ?? 0)
}

/** Rows refused by validation in the loads of its datasets started in the period. */
export async function countValidationErrors(db: Db, s: SourceUnitScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${datasetLoads.rowsRejected}), 0)` })
    .from(datasetLoads)
    .innerJoin(datasets, eq(datasets.id, datasetLoads.datasetId))
    .where(loadsOfUnit(s))
  return Number(row?.n ?? 0)
}

/** How old a dataset's last good load may be at the period's end for its update frequency to count as kept. */
export const FRESHNESS_ALLOWANCE_DAYS: Record<string, number | null> = {
  realtime: 1,
  hourly: 1,
  daily: 2,
  weekly: 8,
  monthly: 32,
  quarterly: 93,
  yearly: 366,
  static: null,
}

/**
 * The share (whole percent) of its datasets registered before the period's end whose last succeeded load at that end is
 * within their update frequency's allowance (a `static` dataset is fresh once loaded); null when it has none.
 */
export async function freshDatasetsPercent(db: Db, s: SourceUnitScope): Promise<number | null> {
  const owned = await db
    .select({ id: datasets.id, frequency: datasets.updateFrequency })
    .from(datasets)
    .where(and(eq(datasets.sourceUnitId, s.sourceUnitId), lt(datasets.createdAt, s.period.end)))
  const finished = sql<number>`coalesce(${datasetLoads.finishedAt}, ${datasetLoads.startedAt})`
  const lastLoads =
    owned.length === 0
      ? []
      : await db
          .select({ datasetId: datasetLoads.datasetId, last: sql<number>`max(${finished})` })
          .from(datasetLoads)
          .where(
            and(
              inArray(
                datasetLoads.datasetId,
                owned.map((d) => d.id),
              ),
              eq(datasetLoads.state, 'succeeded'),
              lt(finished, s.period.end),
            ),
          )
          .groupBy(datasetLoads.datasetId)
  const rows = owned.map((d) => ({ frequency: d.frequency, last: lastLoads.find((l) => l.datasetId === d.id)?.last ?? null }))
  if (rows.length === 0) return null
  const fresh = rows.filter((r) => {
    if (r.last === null) return false
    const allowance = FRESHNESS_ALLOWANCE_DAYS[r.frequency]
    return allowance === null || allowance === undefined || s.period.end - Number(r.last) <= allowance * DAY_MS
  }).length
  return Math.round((fresh * 100) / rows.length)
}

/** Products published by the period's end (and not still drafts) that are built on one of its datasets. */
export async function countProductsOnData(db: Db, s: SourceUnitScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(DISTINCT ${products.id})` })
    .from(products)
    .innerJoin(productDatasets, eq(productDatasets.productId, products.id))
    .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .where(
      and(
        eq(datasets.sourceUnitId, s.sourceUnitId),
        inArray(products.state, ['published', 'retired']),
        lt(products.publishedAt, s.period.end),
      ),
    )
  return Number(row?.n ?? 0)
}
