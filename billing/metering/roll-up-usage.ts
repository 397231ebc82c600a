import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sqlDayStartMs, sqlHourStartMs } from '#platform/calendar/calendar-sql.ts'
import { addCalendarMonths, startOfMonth } from '#platform/calendar/shanghai-calendar.ts'

/** Events folded per run at most: one write transaction stays short (~0.1 s per 100,000 on this machine). */
export const ROLLUP_BATCH = 200_000

export interface RollUpResult {
  /** The watermark before and after this run (usage_event_log.seq). */
  from: number
  to: number
}

/**
 * Folds the usage events committed since the watermark into the hourly and daily rollups (ADR 0047), off the hot path
 * (the `usage:rollup` job, every few seconds). One write transaction reads the watermark, sums the next events by
 * hour (or day) and context, adds them to the rollup rows, notes the ones that arrived after their month had ended
 * (usage_late_events) and moves the watermark: it runs exactly once per event, in any number of processes (the
 * transaction takes the write lock first, BEGIN IMMEDIATE), and a crash leaves the watermark where it was.
 * Events dated before the previous month are not rolled up (nothing reads their hours from the rollups); they are
 * still noted as late.
 */
export async function rollUpUsage(db: Db, opts: { now: number; batch?: number }): Promise<RollUpResult> {
  const batch = opts.batch ?? ROLLUP_BATCH
  if (!Number.isSafeInteger(batch) || batch < 1) throw new Error(`batch must be a positive whole number: ${batch}`)
  const monthStart = startOfMonth(opts.now)
  const keepFrom = addCalendarMonths(monthStart, -1)
  const from = sql`(SELECT last_seq FROM usage_rollup_state WHERE id = 1)`
  const to = sql`(SELECT min(s.last_seq + ${batch}, coalesce((SELECT max(seq) FROM usage_event_log), 0)) FROM usage_rollup_state s WHERE s.id = 1)`
  const range = sql`seq > ${from} AND seq <= ${to}`
  const sums = sql`count(*), sum(calls), sum(records), sum(fields_masked), sum(bytes_out), sum(compute_ms), sum(export_bytes)`
  const addUp = sql`events = events + excluded.events, calls = calls + excluded.calls, records = records + excluded.records,
    fields_masked = fields_masked + excluded.fields_masked, bytes_out = bytes_out + excluded.bytes_out,
    compute_ms = compute_ms + excluded.compute_ms, export_bytes = export_bytes + excluded.export_bytes`
  const columns = sql`events, calls, records, fields_masked, bytes_out, compute_ms, export_bytes`
  const hour = sqlHourStartMs(sql`at`)
  const day = sqlDayStartMs(sql`at`)
  const [before] = await db.all<{ s: number }>(sql`SELECT last_seq AS s FROM usage_rollup_state WHERE id = 1`)
  await db.batch([
    db.run(sql`INSERT INTO usage_hourly_rollups (hour, ctx, ${columns})
      SELECT ${hour} AS h, ctx, ${sums} FROM usage_event_log WHERE ${range} AND at >= ${keepFrom} GROUP BY h, ctx
      ON CONFLICT (hour, ctx) DO UPDATE SET ${addUp}`),
    db.run(sql`INSERT INTO usage_daily_rollups (day, ctx, ${columns})
      SELECT ${day} AS d, ctx, ${sums} FROM usage_event_log WHERE ${range} AND at >= ${keepFrom} GROUP BY d, ctx
      ON CONFLICT (day, ctx) DO UPDATE SET ${addUp}`),
    db.run(sql`INSERT INTO usage_late_events (seq) SELECT seq FROM usage_event_log WHERE ${range} AND +at < ${monthStart}
      ON CONFLICT DO NOTHING`),
    db.run(sql`UPDATE usage_rollup_state SET last_seq = ${to}, updated_at = ${opts.now} WHERE id = 1`),
  ])
  const [after] = await db.all<{ s: number }>(sql`SELECT last_seq AS s FROM usage_rollup_state WHERE id = 1`)
  return { from: Number(before?.s ?? 0), to: Number(after?.s ?? 0) }
}

/** Runs rollUpUsage until the watermark reaches the newest event (the bench, a test, a first start after an upgrade). */
export async function rollUpAllUsage(db: Db, opts: { now: number; batch?: number }): Promise<RollUpResult> {
  const first = await rollUpUsage(db, opts)
  let last = first
  while (last.to > last.from) last = await rollUpUsage(db, opts)
  return { from: first.from, to: last.to }
}
