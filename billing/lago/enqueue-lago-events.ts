import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { lagoCursors } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { resolveWatermark } from '../metering/aggregate-usage.ts'

export const USAGE_CURSOR = 'usage_events'
/** Lago billable metric code per meter: one metric per meter (docs/decisions/0012). */
export const LAGO_METRIC_CODES = {
  call: 'sdp_call',
  record: 'sdp_record',
  masked_field: 'sdp_masked_field',
  mb_exported: 'sdp_mb_exported',
  compute_second: 'sdp_compute_second',
} as const

/**
 * Puts the usage events committed since the last run into the Lago outbox, at most `limit` usage events (in rowid
 * order, so the cursor never skips one: rowids grow with each commit, ADR 0010). Each usage event gives one Lago
 * event per non-zero meter: `sdp_call` with transaction_id = the usage event id, the others `<id>:<meter>`.
 * Written inside SQLite (INSERT … SELECT) with the cursor and an audit entry in one batch; a second run over the
 * same rows inserts nothing (primary key on transaction_id).
 */
export async function enqueueLagoEvents(
  db: Db,
  opts: { now: number; limit?: number; actor?: Actor },
): Promise<{ usageEvents: number; position: number }> {
  assertPermitted(opts.actor ?? systemActor('lago-sync'), 'lago.sync')
  const limit = opts.limit ?? 50_000
  const [cursor] = await db
    .select()
    .from(lagoCursors)
    .where(sql`${lagoCursors.name} = ${USAGE_CURSOR}`)
  const from = cursor ? await resolveWatermark(db, cursor.position, cursor.eventId) : 0
  const [last] = await db.all<{ rowid: number; id: string; n: number }>(
    sql`SELECT rowid AS rowid, id, (SELECT count(*) FROM (SELECT 1 FROM usage_events WHERE rowid > ${from} LIMIT ${limit})) AS n
        FROM (SELECT rowid, id FROM usage_events WHERE rowid > ${from} ORDER BY rowid LIMIT ${limit})
        ORDER BY rowid DESC LIMIT 1`,
  )
  if (!last) return { usageEvents: 0, position: from }
  const to = Number(last.rowid)
  const props = (value: string) =>
    `json_object('value', ${value}, 'product_id', product_id, 'purpose', purpose, 'operation', operation, 'partner_id', partner_id)`
  const ts = `printf('%d.%03d', "at" / 1000, "at" % 1000)`
  const select = (txn: string, code: string, value: string, where: string) =>
    `SELECT ${txn}, id, rowid, '${code}', subscription_id, ${ts}, ${props(value)}, 'pending', 0, 0, ${Math.trunc(opts.now)}
       FROM usage_events WHERE rowid > ${from} AND rowid <= ${to}${where}`
  const insert = sql.raw(
    `INSERT INTO lago_outbox (transaction_id, usage_event_id, seq, code, external_subscription_id, "timestamp", properties, state, attempts, next_attempt_at, enqueued_at) ` +
      [
        select('id', LAGO_METRIC_CODES.call, 'calls', ''),
        select(`id || ':record'`, LAGO_METRIC_CODES.record, 'records', ' AND records > 0'),
        select(`id || ':masked_field'`, LAGO_METRIC_CODES.masked_field, 'fields_masked', ' AND fields_masked > 0'),
        select(
          `id || ':mb_exported'`,
          LAGO_METRIC_CODES.mb_exported,
          `printf('%d.%06d', export_bytes / 1000000, export_bytes % 1000000)`,
          ' AND export_bytes > 0',
        ),
        select(
          `id || ':compute_second'`,
          LAGO_METRIC_CODES.compute_second,
          `printf('%d.%03d', compute_ms / 1000, compute_ms % 1000)`,
          ' AND compute_ms > 0',
        ),
      ].join(' UNION ALL ') +
      ' ON CONFLICT (transaction_id) DO NOTHING',
  )
  await recordAudit(
    db,
    {
      actor: opts.actor ?? systemActor('lago-sync'),
      action: 'lago.events_enqueued',
      objectType: 'lago_outbox',
      objectId: USAGE_CURSOR,
      detail: { fromRowid: from, toRowid: to, usageEvents: Number(last.n) },
    },
    [
      db.run(insert),
      db
        .insert(lagoCursors)
        .values({ name: USAGE_CURSOR, position: to, eventId: last.id, updatedAt: opts.now })
        .onConflictDoUpdate({
          target: lagoCursors.name,
          set: { position: to, eventId: last.id, updatedAt: opts.now },
        }),
    ],
  )
  return { usageEvents: Number(last.n), position: to }
}
