import { and, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import {
  incidents,
  partnerApplications,
  partnerExits,
  products,
  rectificationCases,
  rejectedCalls,
  usageEvents,
} from '#db/schema/index.ts'
import type { Period } from '../evaluation-rules.ts'

// The figures the platform measures for the operator over a period (Art. 20: partner management, product supply,
// compliance, quality, outcomes), each one query over its own records. ADR 0034.

const within = (column: SQLiteColumn, p: Period): SQL => and(gte(column, p.start), lt(column, p.end))!

async function countWhere(db: Db, table: Parameters<ReturnType<Db['select']>['from']>[0], where: SQL): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(table)
    .where(where)
  return Number(row?.n ?? 0)
}

/** Partner applications decided (approved or rejected) in the period. */
export const countApplicationsDecided = (db: Db, p: Period) =>
  countWhere(db, partnerApplications, and(isNotNull(partnerApplications.decidedAt), within(partnerApplications.decidedAt, p))!)

/** Partner exits executed in the period. */
export const countExitsExecuted = (db: Db, p: Period) =>
  countWhere(db, partnerExits, and(eq(partnerExits.state, 'executed'), within(partnerExits.executedAt, p))!)

/** Rectification cases opened against partners in the period (the operator's supervision of its partners). */
export const countPartnerCases = (db: Db, p: Period) =>
  countWhere(db, rectificationCases, and(eq(rectificationCases.targetKind, 'partner'), within(rectificationCases.openedAt, p))!)

/** Products published (or since retired) by the period's end: what the operator supplies. */
export const countProductsSupplied = (db: Db, p: Period) =>
  countWhere(db, products, and(sql`${products.state} IN ('published', 'retired')`, lt(products.publishedAt, p.end))!)

/** Products first published in the period. */
export const countProductsPublished = (db: Db, p: Period) =>
  countWhere(db, products, and(sql`${products.state} IN ('published', 'retired')`, within(products.publishedAt, p))!)

/** Rectification cases opened against the operator in the period. */
export const countOperatorCases = (db: Db, p: Period) =>
  countWhere(db, rectificationCases, and(eq(rectificationCases.targetKind, 'operator'), within(rectificationCases.openedAt, p))!)

/** Calls with a real key the gateway refused in the period (rejected_calls). */
export const countRefusedCalls = (db: Db, p: Period) => countWhere(db, rejectedCalls, within(rejectedCalls.at, p))

/** Incidents opened in the period. */
export const countIncidents = (db: Db, p: Period) => countWhere(db, incidents, within(incidents.openedAt, p))

/** The share of answered events that were server errors (status ≥ 500), in percent with two decimals; null without events. */
export async function errorRatePercent(db: Db, p: Period): Promise<number | null> {
  const [row] = await db
    .select({
      all: sql<number>`count(*)`,
      errors: sql<number>`coalesce(sum(CASE WHEN ${usageEvents.status} >= 500 THEN 1 ELSE 0 END), 0)`,
    })
    .from(usageEvents)
    .where(within(usageEvents.at, p))
  const all = Number(row?.all ?? 0)
  return all === 0 ? null : Math.round((Number(row!.errors) * 10_000) / all) / 100
}

/** The mean handler time (compute_ms) of answered calls in the period, whole milliseconds; null without calls. */
export async function meanComputeMs(db: Db, p: Period): Promise<number | null> {
  const [row] = await db
    .select({ mean: sql<number | null>`avg(${usageEvents.computeMs})` })
    .from(usageEvents)
    .where(and(within(usageEvents.at, p), lt(usageEvents.status, 400)))
  return row?.mean === null || row?.mean === undefined ? null : Math.round(Number(row.mean))
}

/** Calls answered (status < 400) in the period. */
export async function countCallsAnswered(db: Db, p: Period, purpose?: 'public_interest' | 'industrial'): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${usageEvents.calls}), 0)` })
    .from(usageEvents)
    .where(and(within(usageEvents.at, p), lt(usageEvents.status, 400), purpose ? eq(usageEvents.purpose, purpose) : undefined))
  return Number(row?.n ?? 0)
}

/** Calls answered in the period for public-interest purposes (free supply, Art. 21). */
export const countPublicInterestCalls = (db: Db, p: Period) => countCallsAnswered(db, p, 'public_interest')

/** Distinct partners with at least one answered call in the period. */
export async function countPartnersServed(db: Db, p: Period): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(DISTINCT ${usageEvents.partnerId})` })
    .from(usageEvents)
    .where(and(within(usageEvents.at, p), lt(usageEvents.status, 400)))
  return Number(row?.n ?? 0)
}
