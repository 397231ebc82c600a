import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { startOfMonth, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import type { QuotaStatus } from '../usage/summarize-usage.ts'

/** Each active subscription of a partner against its plan version's monthly quota, this Shanghai month. */
export async function listQuotaStatuses(db: Db, opts: { partnerId: string; now: number }): Promise<QuotaStatus[]> {
  const monthStart = startOfMonth(opts.now)
  const nextMonthStart = startOfNextMonth(opts.now)
  const rows = await db
    .select({
      subscriptionId: subscriptions.id,
      productCode: products.code,
      productName: products.nameZh,
      productNameEn: products.nameEn,
      purpose: subscriptions.purpose,
      planCode: subscriptions.planCode,
      monthlyQuota: plans.monthlyQuota,
      usedThisMonth: sql<number>`(select count(*) from ${usageEvents} where ${usageEvents.subscriptionId} = ${subscriptions.id} and ${usageEvents.at} >= ${monthStart} and ${usageEvents.at} < ${nextMonthStart})`,
    })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    // The version the subscription is on: a plan's older versions must not repeat the row.
    .leftJoin(plans, and(eq(plans.code, subscriptions.planCode), eq(plans.version, subscriptions.planVersion)))
    .where(and(eq(subscriptions.partnerId, opts.partnerId), eq(subscriptions.state, 'active')))
    .orderBy(products.code, subscriptions.purpose)
  return rows.map((r) => {
    const used = Number(r.usedThisMonth)
    return {
      ...r,
      usedThisMonth: used,
      remaining: r.monthlyQuota === null ? null : Math.max(0, r.monthlyQuota - used),
      resetsAt: nextMonthStart,
    }
  })
}
