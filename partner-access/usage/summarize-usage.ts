import { and, count, desc, eq, gte, sql, sum, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, partners, plans, products, rejectedCalls, subscriptions, usageEvents } from '#db/schema/index.ts'
import { startOfMonth, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { sqlDay } from '#platform/calendar/calendar-sql.ts'

/** One live subscription's monthly quota, as the gateway counts it (answered calls this Shanghai month). */
export interface QuotaStatus {
  subscriptionId: string
  productCode: string
  productName: string
  productNameEn: string
  purpose: string
  planCode: string
  /** The plan's names (null when the plan row is gone): pages show these, never the code. */
  planNameZh?: string | null
  planNameEn?: string | null
  monthlyQuota: number | null
  usedThisMonth: number
  /** null = unlimited. */
  remaining: number | null
  resetsAt: number
}

export interface UsageSummary {
  since: number
  totalCalls: number
  totalRecords: number
  totalBytesOut: number
  byDay: { day: string; calls: number }[]
  byProduct: { productCode: string; productName: string; productNameEn: string; purpose: string; calls: number }[]
  byPartner: { partnerCode: string; partnerName: string; calls: number }[]
  byStatus: { status: number; calls: number }[]
  recent: { at: number; requestId: string; productCode: string; partnerName: string; status: number; keyPrefix: string }[]
  rejected: { at: number; requestId: string; code: string; status: number; keyPrefix: string | null }[]
  /** Only for one partner's view: each active subscription's quota this month. */
  quotas: QuotaStatus[]
}

// Days are counted on the city's calendar.
const eventDay = sqlDay(usageEvents.at)

/**
 * Answered calls over the last `days` days, for one partner (the partner's own
 * view) or for all (operator and bureau). Read straight from the usage events
 * that the gateway committed, so what people see is what will be billed.
 */
export async function summarizeUsage(
  db: Db,
  opts: { partnerId?: string | null; days?: number; now?: number; recentLimit?: number },
): Promise<UsageSummary> {
  const now = opts.now ?? Date.now()
  const since = now - (opts.days ?? 30) * 86_400_000
  const where: SQL | undefined = and(
    gte(usageEvents.at, since),
    opts.partnerId ? eq(usageEvents.partnerId, opts.partnerId) : undefined,
  )

  const [totals] = await db
    .select({ calls: count(), records: sum(usageEvents.records), bytes: sum(usageEvents.bytesOut) })
    .from(usageEvents)
    .where(where)
  const byDay = await db
    .select({ day: eventDay, calls: count() })
    .from(usageEvents)
    .where(where)
    .groupBy(eventDay)
    .orderBy(desc(eventDay))
  const byProduct = await db
    .select({
      productCode: products.code,
      productName: products.nameZh,
      productNameEn: products.nameEn,
      purpose: usageEvents.purpose,
      calls: count(),
    })
    .from(usageEvents)
    .innerJoin(products, eq(products.id, usageEvents.productId))
    .where(where)
    .groupBy(products.code, usageEvents.purpose)
    .orderBy(desc(count()))
  const byPartner = await db
    .select({ partnerCode: partners.code, partnerName: partners.name, calls: count() })
    .from(usageEvents)
    .innerJoin(partners, eq(partners.id, usageEvents.partnerId))
    .where(where)
    .groupBy(partners.code)
    .orderBy(desc(count()))
  const byStatus = await db
    .select({ status: usageEvents.status, calls: count() })
    .from(usageEvents)
    .where(where)
    .groupBy(usageEvents.status)
  const recent = await db
    .select({
      at: usageEvents.at,
      requestId: usageEvents.requestId,
      productCode: products.code,
      partnerName: partners.name,
      status: usageEvents.status,
      keyPrefix: apiKeys.displayPrefix,
    })
    .from(usageEvents)
    .innerJoin(products, eq(products.id, usageEvents.productId))
    .innerJoin(partners, eq(partners.id, usageEvents.partnerId))
    .innerJoin(apiKeys, eq(apiKeys.id, usageEvents.apiKeyId))
    .where(where)
    .orderBy(desc(usageEvents.at))
    .limit(opts.recentLimit ?? 20)
  const rejected = await db
    .select({
      at: rejectedCalls.at,
      requestId: rejectedCalls.requestId,
      code: rejectedCalls.code,
      status: rejectedCalls.status,
      keyPrefix: rejectedCalls.keyPrefix,
    })
    .from(rejectedCalls)
    .leftJoin(apiKeys, eq(apiKeys.id, rejectedCalls.apiKeyId))
    .where(and(gte(rejectedCalls.at, since), opts.partnerId ? eq(apiKeys.partnerId, opts.partnerId) : undefined))
    .orderBy(desc(rejectedCalls.at))
    .limit(opts.recentLimit ?? 20)

  let quotas: QuotaStatus[] = []
  if (opts.partnerId) {
    const monthStart = startOfMonth(now)
    const nextMonthStart = startOfNextMonth(now)
    const rows = await db
      .select({
        subscriptionId: subscriptions.id,
        productCode: products.code,
        productName: products.nameZh,
        productNameEn: products.nameEn,
        purpose: subscriptions.purpose,
        planCode: subscriptions.planCode,
        planNameZh: plans.nameZh,
        planNameEn: plans.nameEn,
        monthlyQuota: plans.monthlyQuota,
        usedThisMonth: sql<number>`(select count(*) from ${usageEvents} where ${usageEvents.subscriptionId} = ${subscriptions.id} and ${usageEvents.at} >= ${monthStart} and ${usageEvents.at} < ${nextMonthStart})`,
      })
      .from(subscriptions)
      .innerJoin(products, eq(products.id, subscriptions.productId))
      .leftJoin(plans, eq(plans.code, subscriptions.planCode))
      .where(and(eq(subscriptions.partnerId, opts.partnerId), eq(subscriptions.state, 'active')))
      .orderBy(products.code)
    quotas = rows.map((r) => ({
      ...r,
      usedThisMonth: Number(r.usedThisMonth),
      remaining: r.monthlyQuota === null ? null : Math.max(0, r.monthlyQuota - Number(r.usedThisMonth)),
      resetsAt: nextMonthStart,
    }))
  }

  return {
    since,
    totalCalls: totals?.calls ?? 0,
    totalRecords: Number(totals?.records ?? 0),
    totalBytesOut: Number(totals?.bytes ?? 0),
    byDay,
    byProduct,
    byPartner,
    byStatus,
    recent,
    rejected,
    quotas,
  }
}
