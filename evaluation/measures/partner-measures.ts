import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, creditRecords, rectificationCases, rejectedCalls, usageEvents } from '#db/schema/index.ts'
import type { Period } from '../evaluation-rules.ts'

// The figures the platform measures for a partner over a period (its assessment under its agreement). ADR 0034.

export interface PartnerScope {
  partnerId: string
  period: Period
}

/** Calls of the partner answered (status < 400) in the period. */
export async function countPartnerCalls(db: Db, s: PartnerScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${usageEvents.calls}), 0)` })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.partnerId, s.partnerId),
        gte(usageEvents.at, s.period.start),
        lt(usageEvents.at, s.period.end),
        lt(usageEvents.status, 400),
      ),
    )
  return Number(row?.n ?? 0)
}

/** Calls through the partner's keys the gateway refused in the period (over quota, over rate, not allowed …). */
export async function countPartnerRefusals(db: Db, s: PartnerScope): Promise<number> {
  const keys = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, s.partnerId))
  if (keys.length === 0) return 0
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(rejectedCalls)
    .where(
      and(
        inArray(
          rejectedCalls.apiKeyId,
          keys.map((k) => k.id),
        ),
        gte(rejectedCalls.at, s.period.start),
        lt(rejectedCalls.at, s.period.end),
      ),
    )
  return Number(row?.n ?? 0)
}

/** Rectification cases opened against the partner in the period. */
export async function countCasesAgainstPartner(db: Db, s: PartnerScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(rectificationCases)
    .where(
      and(
        eq(rectificationCases.partnerId, s.partnerId),
        gte(rectificationCases.openedAt, s.period.start),
        lt(rectificationCases.openedAt, s.period.end),
      ),
    )
  return Number(row?.n ?? 0)
}

/** Credit records about the partner recorded in the period. */
export async function countCreditRecords(db: Db, s: PartnerScope): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(creditRecords)
    .where(
      and(
        eq(creditRecords.partnerId, s.partnerId),
        gte(creditRecords.recordedAt, s.period.start),
        lt(creditRecords.recordedAt, s.period.end),
      ),
    )
  return Number(row?.n ?? 0)
}
