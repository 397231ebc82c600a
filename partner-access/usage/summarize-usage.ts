import { and, asc, count, desc, eq, gte, inArray, sql, sum, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  apiKeys,
  partners,
  plans,
  products,
  rejectedCalls,
  subscriptions,
  usageEventContexts,
  usageEvents,
} from '#db/schema/index.ts'
import {
  formatDay,
  HOUR_MS,
  startOfDay,
  startOfMonth,
  startOfNextDay,
  startOfNextMonth,
} from '#platform/calendar/shanghai-calendar.ts'
import { sqlDay, sqlDayStartMs } from '#platform/calendar/calendar-sql.ts'
import { readRollupState } from '#billing/metering/aggregate-usage.ts'

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

type SummaryCounts = Pick<
  UsageSummary,
  'totalCalls' | 'totalRecords' | 'totalBytesOut' | 'byDay' | 'byProduct' | 'byPartner' | 'byStatus'
>

/** Ties are broken by code (and purpose, status) so that both ways of counting give the same lists. */
function sortCounts(c: SummaryCounts): SummaryCounts {
  return {
    ...c,
    byDay: c.byDay.sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0)),
    byProduct: c.byProduct.sort(
      (a, b) =>
        b.calls - a.calls ||
        (a.productCode < b.productCode ? -1 : a.productCode > b.productCode ? 1 : 0) ||
        (a.purpose < b.purpose ? -1 : a.purpose > b.purpose ? 1 : 0),
    ),
    byPartner: c.byPartner.sort(
      (a, b) => b.calls - a.calls || (a.partnerCode < b.partnerCode ? -1 : a.partnerCode > b.partnerCode ? 1 : 0),
    ),
    byStatus: c.byStatus.sort((a, b) => a.status - b.status),
  }
}

/** The counts straight from the events (through the usage_events view): the reference the rollup way must equal. */
export async function countUsageFromEvents(db: Db, opts: { since: number; partnerId?: string | null }): Promise<SummaryCounts> {
  const where: SQL | undefined = and(
    gte(usageEvents.at, opts.since),
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
    .orderBy(desc(count()), asc(products.code), asc(usageEvents.purpose))
  const byPartner = await db
    .select({ partnerCode: partners.code, partnerName: partners.name, calls: count() })
    .from(usageEvents)
    .innerJoin(partners, eq(partners.id, usageEvents.partnerId))
    .where(where)
    .groupBy(partners.code)
    .orderBy(desc(count()), asc(partners.code))
  const byStatus = await db
    .select({ status: usageEvents.status, calls: count() })
    .from(usageEvents)
    .where(where)
    .groupBy(usageEvents.status)
    .orderBy(asc(usageEvents.status))
  return sortCounts({
    totalCalls: totals?.calls ?? 0,
    totalRecords: Number(totals?.records ?? 0),
    totalBytesOut: Number(totals?.bytes ?? 0),
    byDay,
    byProduct,
    byPartner,
    byStatus,
  })
}

/**
 * The same counts from the rollups (ADR 0047), as the billing preview reads them: the rollups hold every event up to
 * their watermark dated from `completeFrom` on; the events after the watermark (the tail) are added, and the part of
 * the window the rollups cannot answer (the first partial hour, anything before `completeFrom`) is read from the
 * events themselves. Everything is summed per context and day first (a few hundred rows per partner), then per day,
 * product, partner and status through the context dictionary (which carries the status). Null when the rollup job has
 * never run.
 */
export async function countUsageFromRollups(
  db: Db,
  opts: { since: number; partnerId?: string | null },
): Promise<SummaryCounts | null> {
  const rollup = await readRollupState(db)
  if (!rollup) return null
  const { since } = opts
  const partner = opts.partnerId
    ? sql`ctx IN (SELECT id FROM usage_event_contexts WHERE partner_id = ${opts.partnerId}) AND `
    : sql``
  const from = Math.max(since, rollup.completeFrom)
  // Hours are whole hours in UTC too (the offset is whole hours).
  const hourFrom = from % HOUR_MS === 0 ? from : from - (from % HOUR_MS) + HOUR_MS
  const dayFrom = startOfDay(hourFrom) === hourFrom ? hourFrom : startOfNextDay(hourFrom)
  const day = sqlDayStartMs(sql`at`)
  const sums = sql`count(*) AS events, sum(records) AS records, sum(bytes_out) AS bytes_out`
  const rolled = sql`sum(events) AS events, sum(records) AS records, sum(bytes_out) AS bytes_out`
  const rows = await db.all<{ ctx: number; d: number; events: number; records: number; bytes_out: number }>(sql`
    SELECT ctx, d, sum(events) AS events, sum(records) AS records, sum(bytes_out) AS bytes_out FROM (
      SELECT ctx, ${day} AS d, ${sums} FROM usage_event_log
        WHERE ${partner}"at" >= ${since} AND "at" < ${hourFrom} GROUP BY ctx, d
      UNION ALL
      SELECT ctx, ${sqlDayStartMs(sql`hour`)} AS d, ${rolled} FROM usage_hourly_rollups
        WHERE ${partner}hour >= ${hourFrom} AND hour < ${dayFrom} GROUP BY ctx, d
      UNION ALL
      SELECT ctx, day AS d, ${rolled} FROM usage_daily_rollups WHERE ${partner}day >= ${dayFrom} GROUP BY ctx, d
      UNION ALL
      SELECT ctx, ${day} AS d, ${sums} FROM usage_event_log
        WHERE ${partner}seq > ${rollup.seq} AND +"at" >= ${hourFrom} GROUP BY ctx, d
    ) GROUP BY ctx, d`)

  const ctxIds = [...new Set(rows.map((r) => Number(r.ctx)))]
  const contexts = new Map<number, { partnerId: string; productId: string; purpose: string; status: number }>()
  for (let i = 0; i < ctxIds.length; i += 500) {
    const part = await db
      .select({
        id: usageEventContexts.id,
        partnerId: usageEventContexts.partnerId,
        productId: usageEventContexts.productId,
        purpose: usageEventContexts.purpose,
        status: usageEventContexts.status,
      })
      .from(usageEventContexts)
      .where(inArray(usageEventContexts.id, ctxIds.slice(i, i + 500)))
    for (const c of part) contexts.set(c.id, c)
  }
  const productIds = [...new Set([...contexts.values()].map((c) => c.productId))]
  const partnerIds = [...new Set([...contexts.values()].map((c) => c.partnerId))]
  const productOf = new Map(
    (productIds.length
      ? await db
          .select({ id: products.id, code: products.code, nameZh: products.nameZh, nameEn: products.nameEn })
          .from(products)
          .where(inArray(products.id, productIds))
      : []
    ).map((p) => [p.id, p]),
  )
  const partnerOf = new Map(
    (partnerIds.length
      ? await db
          .select({ id: partners.id, code: partners.code, name: partners.name })
          .from(partners)
          .where(inArray(partners.id, partnerIds))
      : []
    ).map((p) => [p.id, p]),
  )

  let totalCalls = 0
  let totalRecords = 0
  let totalBytesOut = 0
  const byDay = new Map<string, { day: string; calls: number }>()
  const byProduct = new Map<string, UsageSummary['byProduct'][number]>()
  const byPartner = new Map<string, UsageSummary['byPartner'][number]>()
  const byStatus = new Map<number, { status: number; calls: number }>()
  for (const r of rows) {
    const calls = Number(r.events)
    if (calls === 0) continue
    const c = contexts.get(Number(r.ctx))
    if (!c) continue
    totalCalls += calls
    totalRecords += Number(r.records ?? 0)
    totalBytesOut += Number(r.bytes_out ?? 0)
    const d = formatDay(Number(r.d))
    const dayRow = byDay.get(d) ?? byDay.set(d, { day: d, calls: 0 }).get(d)!
    dayRow.calls += calls
    const s = byStatus.get(c.status) ?? byStatus.set(c.status, { status: c.status, calls: 0 }).get(c.status)!
    s.calls += calls
    const p = productOf.get(c.productId)
    if (p) {
      const key = `${p.code}|${c.purpose}`
      const row =
        byProduct.get(key) ??
        byProduct
          .set(key, { productCode: p.code, productName: p.nameZh, productNameEn: p.nameEn, purpose: c.purpose, calls: 0 })
          .get(key)!
      row.calls += calls
    }
    const pa = partnerOf.get(c.partnerId)
    if (pa) {
      const row =
        byPartner.get(pa.code) ?? byPartner.set(pa.code, { partnerCode: pa.code, partnerName: pa.name, calls: 0 }).get(pa.code)!
      row.calls += calls
    }
  }
  return sortCounts({
    totalCalls,
    totalRecords,
    totalBytesOut,
    byDay: [...byDay.values()],
    byProduct: [...byProduct.values()],
    byPartner: [...byPartner.values()],
    byStatus: [...byStatus.values()],
  })
}

/**
 * Answered calls over the last `days` days, for one partner (the partner's own
 * view) or for all (operator and bureau). The counts come from the rollups plus the
 * events after their watermark (countUsageFromRollups, ADR 0047), equal to counting the committed events themselves
 * (countUsageFromEvents), so what people see is what will be billed.
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

  const counts =
    (await countUsageFromRollups(db, { since, partnerId: opts.partnerId })) ??
    (await countUsageFromEvents(db, { since, partnerId: opts.partnerId }))
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
    ...counts,
    recent,
    rejected,
    quotas,
  }
}
