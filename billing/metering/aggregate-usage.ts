import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { BillingPeriod } from '../periods/billing-period.ts'
import { seqOfEventIdSql } from '#db/usage-event-keys.ts'
import { addCalendarMonths, HOUR_MS, startOfDay, startOfMonth } from '#platform/calendar/shanghai-calendar.ts'

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
  /**
   * Read the hourly/daily rollups up to their watermark plus the events after it (ADR 0047): an estimate's way (the
   * preview, the revenue dashboard), never the close's (which reads events only, up to its own watermark).
   */
  rollups?: boolean
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

const SUMS = sql`count(*) AS events, sum(calls) AS calls, sum(records) AS records, sum(fields_masked) AS fields_masked,
  sum(export_bytes) AS export_bytes, sum(compute_ms) AS compute_ms`
const ROLLUP_SUMS = sql`sum(events) AS events, sum(calls) AS calls, sum(records) AS records, sum(fields_masked) AS fields_masked,
  sum(export_bytes) AS export_bytes, sum(compute_ms) AS compute_ms`

/**
 * Sums per context (an integer key: the compact table's own, ADR 0047), then per subscription and purpose (and window)
 * through the dictionary: a subscription belongs to one partner and one product, so those ride along as bare columns.
 * `inner` is one or more SELECTs of (ctx, w, sums) over usage_event_log or the rollups, UNION ALL'd.
 */
async function groupBy(db: Db, inner: SQL, byWindow: boolean): Promise<RawGroup[]> {
  return db.all<RawGroup>(sql`
    SELECT c.subscription_id AS subscription_id, c.partner_id AS partner_id, c.product_id AS product_id, c.purpose AS purpose,
           g.w AS w, sum(g.events) AS events, sum(g.calls) AS calls, sum(g.records) AS records,
           sum(g.fields_masked) AS fields_masked, sum(g.export_bytes) AS export_bytes, sum(g.compute_ms) AS compute_ms
    FROM (${inner}) g JOIN usage_event_contexts c ON c.id = g.ctx
    GROUP BY c.subscription_id, c.purpose${byWindow ? sql`, g.w` : sql``}`)
}

/** Events of usage_event_log, per context (and window). */
function eventSums(windowExpr: SQL, where: SQL, byWindow: boolean): SQL {
  return sql`SELECT ctx, ${windowExpr} AS w, ${SUMS} FROM usage_event_log WHERE ${where} GROUP BY ctx${byWindow ? sql`, w` : sql``}`
}

const DAY_MS = 86_400_000

/** The rollups' watermark and the oldest instant they are complete from (a month before the last run's month). */
export async function readRollupState(db: Db): Promise<{ seq: number; completeFrom: number } | null> {
  const [row] = await db.all<{ seq: number; updatedAt: number }>(
    sql`SELECT last_seq AS seq, updated_at AS updatedAt FROM usage_rollup_state WHERE id = 1`,
  )
  if (!row || Number(row.seq) <= 0) return null
  return { seq: Number(row.seq), completeFrom: addCalendarMonths(startOfMonth(Number(row.updatedAt)), -1) }
}

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
  const partner = opts.partnerId
    ? sql`ctx IN (SELECT id FROM usage_event_contexts WHERE partner_id = ${opts.partnerId}) AND `
    : sql``
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
  const rollup = opts.rollups ? await readRollupState(db) : null
  // Rollup rows already hold every event up to rollup.seq; the tail is what came after (none when the job is ahead).
  const tailFrom = rollup ? rollup.seq : 0
  const chunks: { from: number; to: number; window: number; table: 'events' | 'usage_daily_rollups' | 'usage_hourly_rollups' }[] =
    []
  for (let i = 0; i < cuts.length - 1; i++) {
    const window = breakpoints.filter((b) => b <= cuts[i]!).length
    const [a, b] = [cuts[i]!, cuts[i + 1]!]
    if (rollup && a >= rollup.completeFrom && startOfDay(a) === a && startOfDay(b) === b) {
      chunks.push({ from: a, to: b, window, table: 'usage_daily_rollups' })
    } else if (rollup && a >= rollup.completeFrom && a % HOUR_MS === 0 && b % HOUR_MS === 0) {
      chunks.push({ from: a, to: b, window, table: 'usage_hourly_rollups' })
    } else {
      for (let from = a; from < b; from += DAY_MS) chunks.push({ from, to: Math.min(from + DAY_MS, b), window, table: 'events' })
    }
  }
  const total = chunks.length + 1
  opts.onProgress?.(0, total)
  for (const [i, c] of chunks.entries()) {
    if (c.table === 'events') {
      add(
        await groupBy(
          db,
          eventSums(sql`0`, sql`${partner}"at" >= ${c.from} AND "at" < ${c.to} AND rowid <= ${watermark}`, false),
          false,
        ),
        c.window,
      )
    } else {
      const key = sql.identifier(c.table === 'usage_daily_rollups' ? 'day' : 'hour')
      const rolled = sql`SELECT ctx, 0 AS w, ${ROLLUP_SUMS} FROM ${sql.identifier(c.table)}
        WHERE ${partner}${key} >= ${c.from} AND ${key} < ${c.to} GROUP BY ctx`
      const tail = eventSums(
        sql`0`,
        sql`${partner}rowid > ${tailFrom} AND rowid <= ${watermark} AND +"at" >= ${c.from} AND +"at" < ${c.to}`,
        false,
      )
      add(await groupBy(db, sql`${rolled} UNION ALL ${tail}`, false), c.window)
    }
    opts.onProgress?.(i + 1, total)
  }

  // Late events: committed since the previous close, dated before the horizon. Few; one pass over the new rowids, or
  // with the rollups the late events the job noted (usage_late_events) and the tail.
  const lateWindow = windowCase(breakpoints.filter((b) => b <= horizon))
  if (rollup) {
    const noted = eventSums(
      lateWindow,
      sql`${partner}rowid IN (SELECT seq FROM usage_late_events WHERE seq > ${previousWatermark} AND seq <= ${Math.min(rollup.seq, watermark)}) AND +"at" < ${horizon}`,
      true,
    )
    const tail = eventSums(
      lateWindow,
      sql`${partner}rowid > ${Math.max(previousWatermark, rollup.seq)} AND rowid <= ${watermark} AND +"at" < ${horizon}`,
      true,
    )
    add(await groupBy(db, sql`${noted} UNION ALL ${tail}`, true))
  } else {
    const late = opts.partnerId
      ? sql`${partner}"at" < ${horizon} AND rowid > ${previousWatermark} AND rowid <= ${watermark}`
      : sql`rowid > ${previousWatermark} AND rowid <= ${watermark} AND +"at" < ${horizon}`
    add(await groupBy(db, eventSums(lateWindow, late, true), true))
  }
  opts.onProgress?.(total, total)
  return [...merged.values()]
}
