import { asc, desc, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans } from '#db/schema/index.ts'

/**
 * Every plan version, newest version of each code first, with how many subscriptions are on it now (`subscriptions`)
 * or will move to it (`pendingMoves`): a version with either is in use and can only be replaced (ADR 0032).
 */
export async function listPlanVersions(db: Db) {
  const rows = await db
    .select({
      code: plans.code,
      version: plans.version,
      nameZh: plans.nameZh,
      nameEn: plans.nameEn,
      rateLimitPerMinute: plans.rateLimitPerMinute,
      monthlyQuota: plans.monthlyQuota,
      distinctSubjectsPerDay: plans.distinctSubjectsPerDay,
      maxActiveKeys: plans.maxActiveKeys,
      allowsImmediateChange: plans.allowsImmediateChange,
      createdAt: plans.createdAt,
      subscriptions: sql<number>`(select count(*) from subscriptions s where s.plan_code = ${plans.code} and s.plan_version = ${plans.version})`,
      pendingMoves: sql<number>`(select count(*) from subscriptions s where s.next_plan_code = ${plans.code} and s.next_plan_version = ${plans.version})`,
      latestVersion: sql<number>`(select max(p2.version) from plans p2 where p2.code = ${plans.code})`,
    })
    .from(plans)
    .orderBy(asc(plans.code), desc(plans.version))
  return rows.map((r) => ({
    ...r,
    isLatest: r.version === r.latestVersion,
    isInUse: r.subscriptions + r.pendingMoves > 0,
  }))
}

export type PlanVersionListing = Awaited<ReturnType<typeof listPlanVersions>>[number]
