import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { BillingPeriod } from '../periods/billing-period.ts'
import { seqOfEventIdSql } from '#db/usage-event-keys.ts'

/** Usage summed per subscription, product, purpose and time window (no prices: rating comes after). */
export interface UsageGroup {
  subscriptionId: string
  partnerId: string
  productId: string
  purpose: 'industrial' | 'public_interest'
  /** Index of the time window: the number of breakpoints ≤ the events' time. */
  window: number
  events: number
  calls: number
  records: number
  fieldsMasked: number
  exportBytes: number
  /** Compute time of sandbox jobs (ms; ADR 0038). */
  computeMs: number
}

export interface AggregateUsageOptions {
  period: BillingPeriod
  /** Only events with rowid ≤ watermark are seen (the close's snapshot of what has been committed). */
  watermark: number
  /** The previous close's watermark (0 before the first close): late events are those above it. */
  previousWatermark: number
  /** Events before the period count (as late events) only if before this instant: the end of the last closed period. */
  lateHorizon: number
  /** Ascending instants that split time into windows: month starts, price and ceiling changes. */
  breakpoints: number[]
  partnerId?: string | null
  onProgress?: (done: number, total: number) => void
}

/** The usage_events rowid and id of the newest committed event (0 / null when there is none). */
export async function readWatermark(db: Db): Promise<{ watermark: number; eventId: string | null }> {
  const [row] = await db.all<{ rowid: number; id: string }>(
    sql`SELECT rowid AS rowid, id FROM usage_events ORDER BY rowid DESC LIMIT 1`,
  )
  return { watermark: Number(row?.rowid ?? 0), eventId: row?.id ?? null }
}

/** The rowid of a watermark event now (VACUUM may renumber rowids); the stored number when the event is gone. */
export async function resolveWatermark(db: Db, stored: number, eventId: string | null): Promise<number> {
  if (!eventId) return stored
  const [row] = await db.all<{ rowid: number }>(sql`SELECT seq AS rowid FROM (${seqOfEventIdSql(eventId)})`)
  return row ? Number(row.rowid) : stored
}

export async function earliestEventAt(db: Db): Promise<number | null> {
  const [row] = await db.all<{ at: number | null }>(sql`SELECT min(at) AS at FROM usage_events`)
  return row?.at ?? null
}

/** CASE expression numbering the window of `at`; checks the newest breakpoint first (most events are recent). */
function windowCase(breakpoints: number[]): SQL {
  if (breakpoints.length === 0) return sql`0`
  for (const b of breakpoints) if (!Number.isSafeInteger(b)) throw new Error(`breakpoint is not an integer: ${b}`)
  const whens = breakpoints
    .map((b, i) => ({ b, i }))
    .reverse()
    .map(({ b, i }) => `WHEN "at" >= ${b} THEN ${i + 1}`)
    .join(' ')
  return sql.raw(`CASE ${whens} ELSE 0 END`)
}

interface RawGroup {
  subscription_id: string
  partner_id: string
  product_id: string
  purpose: 'industrial' | 'public_interest'
  w: number
  events: number
  calls: number
  records: number
  fields_masked: number
  export_bytes: number
  compute_ms: number
}

/**
 * One GROUP BY. Keyed by subscription and purpose (and window): a subscription belongs to one partner and one product,
 * so those two come along as bare columns instead of widening the sort key.
 */
async function groupBy(db: Db, windowExpr: SQL, where: SQL, byWindow: boolean): Promise<RawGroup[]> {
  return db.all<RawGroup>(sql`
    SELECT subscription_id, partner_id, product_id, purpose, ${windowExpr} AS w,
           count(*) AS events, sum(calls) AS calls, sum(records) AS records,
           sum(fields_masked) AS fields_masked, sum(export_bytes) AS export_bytes,
           sum(compute_ms) AS compute_ms
    FROM usage_events
    WHERE ${where}
    GROUP BY subscription_id, purpose${byWindow ? sql`, w` : sql``}`)
}

const DAY_MS = 86_400_000

/**
 * Sums the usage a period's invoices cover, in SQL (GROUP BY), never event by event:
 *  - the period's events committed up to the watermark: one indexed range query per price window (a window is the
 *    part of the period between two price or ceiling changes), cut into days for progress, keyed by subscription and
 *    purpose only; and
 *  - late events: before the period (and before `lateHorizon`) and committed after the previous close's watermark,
 *    found by one scan of the rowid range (previousWatermark, watermark], keyed also by window (month and price).
 * With a partner filter (an estimate) both parts use the partner's (partner_id, at) index.
 */
export async function aggregateUsage(db: Db, opts: AggregateUsageOptions): Promise<UsageGroup[]> {
  const { period, watermark, previousWatermark, breakpoints } = opts
  const horizon = Math.min(opts.lateHorizon, period.start)
  const partner = opts.partnerId ? sql`partner_id = ${opts.partnerId} AND ` : sql``
  const merged = new Map<string, UsageGroup>()
  const add = (rows: RawGroup[], window?: number) => {
    for (const r of rows) {
      const w = window ?? Number(r.w)
      const key = `${r.subscription_id}|${r.purpose}|${w}`
      const g = merged.get(key)
      if (g) {
        g.events += Number(r.events)
        g.calls += Number(r.calls)
        g.records += Number(r.records)
        g.fieldsMasked += Number(r.fields_masked)
        g.exportBytes += Number(r.export_bytes)
        g.computeMs += Number(r.compute_ms)
      } else {
        merged.set(key, {
          subscriptionId: r.subscription_id,
          partnerId: r.partner_id,
          productId: r.product_id,
          purpose: r.purpose,
          window: w,
          events: Number(r.events),
          calls: Number(r.calls),
          records: Number(r.records),
          fieldsMasked: Number(r.fields_masked),
          exportBytes: Number(r.export_bytes),
          computeMs: Number(r.compute_ms),
        })
      }
    }
  }

  // The period, window by window (window i = [breakpoints[i-1], breakpoints[i])), a day at a time.
  const cuts = [period.start, ...breakpoints.filter((b) => b > period.start && b < period.end), period.end]
  const chunks: { from: number; to: number; window: number }[] = []
  for (let i = 0; i < cuts.length - 1; i++) {
    const window = breakpoints.filter((b) => b <= cuts[i]!).length
    for (let from = cuts[i]!; from < cuts[i + 1]!; from += DAY_MS)
      chunks.push({ from, to: Math.min(from + DAY_MS, cuts[i + 1]!), window })
  }
  const total = chunks.length + 1
  opts.onProgress?.(0, total)
  for (const [i, c] of chunks.entries()) {
    add(await groupBy(db, sql`0`, sql`${partner}"at" >= ${c.from} AND "at" < ${c.to} AND rowid <= ${watermark}`, false), c.window)
    opts.onProgress?.(i + 1, total)
  }

  // Late events: committed since the previous close, dated before the horizon. Few; one pass over the new rowids.
  const late = opts.partnerId
    ? sql`${partner}"at" < ${horizon} AND rowid > ${previousWatermark} AND rowid <= ${watermark}`
    : sql`rowid > ${previousWatermark} AND rowid <= ${watermark} AND +"at" < ${horizon}`
  add(await groupBy(db, windowCase(breakpoints.filter((b) => b <= horizon)), late, true))
  opts.onProgress?.(total, total)
  return [...merged.values()]
}
