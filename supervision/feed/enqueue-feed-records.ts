import { sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { supervisionFeedCursors } from '#db/schema/index.ts'
import { systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'

/** The source log tables, in the order a step takes them when two rows share a millisecond. */
export const FEED_SOURCES = ['audit_log', 'usage_events', 'rejected_calls', 'rejected_call_buckets', 'dataset_loads'] as const
export type FeedSource = (typeof FEED_SOURCES)[number]

/** A bucket of anonymous refusals is still counting until its minute is over: it is copied this long after its start. */
export const BUCKET_CLOSED_AFTER_MS = 120_000
/** A dataset load still running holds the later loads back (its outcome is not known yet), at most this long. */
export const LOAD_HOLD_BACK_MS = 24 * 60 * 60_000
/** Rows copied per source and step: a backlog of millions is copied in steps that each hold the write lock briefly. */
export const ENQUEUE_STEP_ROWS = 2_000

export interface EnqueueReport {
  /** Records put into the outbox by this step, per kind. */
  enqueued: Record<string, number>
  total: number
}

// ISO 8601 in UTC with milliseconds, computed in SQLite (no offset arithmetic: the instant, as RFC 3339 `Z`).
const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`
// Comma-separated codes as a JSON array (codes are [A-Za-z0-9-]; quotes and backslashes escaped all the same).
const codes = (col: string) =>
  `CASE WHEN ${col} IS NULL OR ${col} = '' THEN json_array() ELSE json('["' || replace(replace(replace(${col}, '\\', '\\\\'), '"', '\\"'), ',', '","') || '"]') END`

/**
 * One SELECT per source: the rows past its cursor up to `to`, as outbox columns (kind, idempotency key, occurred at,
 * payload, the source's order within a step). The payload is what api-specs/supervision-feed.yaml declares per kind.
 */
function sourceSelect(source: FeedSource, from: number, to: number, now: number): string {
  const notQueued = (key: string) => `NOT EXISTS (SELECT 1 FROM supervision_feed_records q WHERE q.idempotency_key = ${key})`
  switch (source) {
    case 'usage_events': {
      const key = `'usage_event:' || u.id`
      return `SELECT 'usage_event' AS kind, ${key} AS k, u."at" AS occurred, json_object(
          'id', u.id, 'requestId', u.request_id,
          'partner', json_object('id', u.partner_id, 'code', pa.code),
          'product', json_object('id', u.product_id, 'code', pr.code),
          'subscriptionId', u.subscription_id, 'apiKeyId', u.api_key_id, 'purpose', u.purpose,
          'operation', u.operation, 'status', u.status,
          'lineage', json_object('datasets', ${codes('u.dataset_codes')}, 'sourceUnits', ${codes('u.source_unit_codes')},
            'authorizations', ${codes('u.authorization_codes')}),
          'meters', json_object('calls', u.calls, 'records', u.records, 'fieldsMasked', u.fields_masked,
            'bytesOut', u.bytes_out, 'computeMs', u.compute_ms, 'exportBytes', u.export_bytes)
        ) AS payload, 1 AS src, u.rowid AS pos
        FROM usage_events u LEFT JOIN partners pa ON pa.id = u.partner_id LEFT JOIN products pr ON pr.id = u.product_id
        WHERE u.rowid > ${from} AND u.rowid <= ${to} AND ${notQueued(key)}`
    }
    case 'rejected_calls': {
      const key = `'rejected_call:' || r.id`
      return `SELECT 'rejected_call' AS kind, ${key} AS k, r."at" AS occurred, json_object(
          'id', r.id, 'requestId', r.request_id, 'apiKeyId', r.api_key_id, 'keyPrefix', r.key_prefix,
          'operation', r.operation, 'status', r.status, 'code', r.code, 'clientIp', r.client_ip
        ) AS payload, 2 AS src, r.rowid AS pos
        FROM rejected_calls r WHERE r.rowid > ${from} AND r.rowid <= ${to} AND ${notQueued(key)}`
    }
    case 'rejected_call_buckets': {
      const key = `'rejected_call_bucket:' || b.minute || ':' || b.code || ':' || b.address_prefix`
      return `SELECT 'rejected_call_bucket' AS kind, ${key} AS k, b.minute AS occurred, json_object(
          'minute', ${iso('b.minute')}, 'code', b.code, 'status', b.status, 'addressPrefix', b.address_prefix,
          'count', b.count
        ) AS payload, 3 AS src, b.minute AS pos
        FROM rejected_call_buckets b
        WHERE b.minute > ${from} AND b.minute <= ${to} AND b.minute <= ${now - BUCKET_CLOSED_AFTER_MS} AND ${notQueued(key)}`
    }
    case 'audit_log': {
      // seq and hash: an entry re-written at the same seq after a deletion is a different record, not a duplicate.
      const key = `'audit_entry:' || a.seq || ':' || a.hash`
      return `SELECT 'audit_entry' AS kind, ${key} AS k, a."at" AS occurred, json_object(
          'seq', a.seq, 'at', a."at", 'actorId', a.actor_id, 'actorLabel', a.actor_label, 'role', a.role,
          'action', a.action, 'objectType', a.object_type, 'objectId', a.object_id, 'requestId', a.request_id,
          'detail', a.detail, 'prevHash', a.prev_hash, 'hash', a.hash
        ) AS payload, 0 AS src, a.seq AS pos
        FROM audit_log a WHERE a.seq > ${from} AND a.seq <= ${to} AND ${notQueued(key)}`
    }
    case 'dataset_loads': {
      const key = `'dataset_load:' || l.id`
      return `SELECT 'dataset_load' AS kind, ${key} AS k, coalesce(l.finished_at, l.started_at) AS occurred, json_object(
          'id', l.id, 'dataset', json_object('id', l.dataset_id, 'code', d.code, 'sourceUnitCode', su.code),
          'mode', l.mode, 'trigger', l."trigger", 'actorLabel', l.actor_label,
          'startedAt', ${iso('l.started_at')},
          'finishedAt', CASE WHEN l.finished_at IS NULL THEN NULL ELSE ${iso('l.finished_at')} END,
          'state', l.state, 'rowsTotal', l.rows_total, 'rowsLoaded', l.rows_loaded, 'rowsRejected', l.rows_rejected,
          'checksum', l.checksum, 'fileName', l.file_name, 'attempts', l.attempts, 'error', l.error
        ) AS payload, 4 AS src, l.rowid AS pos
        FROM dataset_loads l LEFT JOIN datasets d ON d.id = l.dataset_id LEFT JOIN source_units su ON su.id = d.source_unit_id
        WHERE l.rowid > ${from} AND l.rowid <= ${to} AND ${notQueued(key)}`
    }
  }
}

/** The text id column of a rowid source (found again by id after a VACUUM renumbers rowids). */
const ID_COLUMN: Partial<Record<FeedSource, string>> = { usage_events: 'id', rejected_calls: 'id', dataset_loads: 'id' }

interface CursorAt {
  position: number
  sourceId: string | null
  /** Not where the stored cursor says (a VACUUM moved the row, or the audit tail was rewritten). */
  moved: boolean
}

/** Where a source's cursor really is now (the row it names may have moved, or the audit tail may have been rewritten). */
async function resolveCursor(
  db: Db,
  source: FeedSource,
  cursor: { position: number; sourceId: string | null } | undefined,
): Promise<CursorAt> {
  if (!cursor) return { position: 0, sourceId: null, moved: false }
  const { position, sourceId } = cursor
  const stay = { position, sourceId, moved: false }
  const idColumn = ID_COLUMN[source]
  if (idColumn && sourceId) {
    const [here] = await db.all<{ id: string }>(sql.raw(`SELECT ${idColumn} AS id FROM ${source} WHERE rowid = ${position}`))
    if (here?.id === sourceId) return stay
    const [moved] = await db.all<{ rowid: number }>(
      sql`SELECT rowid AS rowid FROM ${sql.identifier(source)} WHERE ${sql.identifier(idColumn)} = ${sourceId}`,
    )
    // Gone (purged under the retention policy): rowids only grow, so the position still holds.
    return moved ? { position: Number(moved.rowid), sourceId, moved: Number(moved.rowid) !== position } : stay
  }
  if (source === 'audit_log' && sourceId) {
    const [here] = await db.all<{ hash: string }>(sql`SELECT hash FROM audit_log WHERE seq = ${position}`)
    if (here?.hash === sourceId) return stay
    // The tail was removed (and maybe written again): go back to the last entry the feed carried that is still there,
    // so the entries written since reach the exchange as new records (their keys differ: seq and hash).
    const [kept] = await db.all<{ seq: number | null; hash: string | null }>(
      sql`SELECT a.seq AS seq, a.hash AS hash FROM audit_log a WHERE a.seq <= ${position}
          AND EXISTS (SELECT 1 FROM supervision_feed_records q WHERE q.idempotency_key = 'audit_entry:' || a.seq || ':' || a.hash)
          ORDER BY a.seq DESC LIMIT 1`,
    )
    return { position: Number(kept?.seq ?? 0), sourceId: kept?.hash ?? null, moved: true }
  }
  return stay
}

/** The last position a step may copy up to, and the source id there (at most `limit` rows past `from`). */
async function stepEnd(
  db: Db,
  source: FeedSource,
  from: number,
  limit: number,
  now: number,
): Promise<{ to: number; sourceId: string | null } | null> {
  if (source === 'rejected_call_buckets') {
    const [row] = await db.all<{ minute: number | null }>(
      sql`SELECT max(minute) AS minute FROM rejected_call_buckets WHERE minute > ${from} AND minute <= ${now - BUCKET_CLOSED_AFTER_MS}`,
    )
    return row?.minute == null ? null : { to: Number(row.minute), sourceId: null }
  }
  if (source === 'audit_log') {
    const [row] = await db.all<{ seq: number; hash: string }>(
      sql`SELECT seq, hash FROM (SELECT seq, hash FROM audit_log WHERE seq > ${from} ORDER BY seq LIMIT ${limit}) ORDER BY seq DESC LIMIT 1`,
    )
    return row ? { to: Number(row.seq), sourceId: row.hash } : null
  }
  let bound = Number.MAX_SAFE_INTEGER
  if (source === 'dataset_loads') {
    // A load still running (and younger than a day) holds back itself and every later load, so each is copied once,
    // with its outcome.
    const [running] = await db.all<{ rowid: number | null }>(
      sql`SELECT min(rowid) AS rowid FROM dataset_loads WHERE rowid > ${from} AND state = 'running' AND started_at > ${now - LOAD_HOLD_BACK_MS}`,
    )
    if (running?.rowid != null) bound = Number(running.rowid) - 1
  }
  const [row] = await db.all<{ rowid: number; id: string }>(
    sql.raw(
      `SELECT rowid AS rowid, id FROM (SELECT rowid, id FROM ${source} WHERE rowid > ${from} AND rowid <= ${bound} ORDER BY rowid LIMIT ${limit}) ORDER BY rowid DESC LIMIT 1`,
    ),
  )
  return row ? { to: Number(row.rowid), sourceId: row.id } : null
}

/**
 * One enqueue step of the feed (ADR 0025): for each source log table, the rows committed past its cursor (rowid; the
 * audit seq; a closed minute for the anonymous buckets), at most `limit` per source, are copied into
 * `supervision_feed_records` by one `INSERT … SELECT` inside SQLite, ordered by when they happened, each taking the
 * next feed seq and the idempotency key `<kind>:<source identity>`. The cursors move in the same batch. A rerun copies
 * nothing twice (a key already queued is skipped), so two processes enqueueing at once are harmless.
 *
 * Not audited one by one: the feed carries the audit log itself, and an entry per step would be a record for the next
 * step, for ever. The feed's progress is its own state (getSupervisionFeedState).
 */
export async function enqueueFeedRecords(db: Db, opts: { now: number; limit?: number; actor?: Actor }): Promise<EnqueueReport> {
  assertPermitted(opts.actor ?? systemActor('supervision-feed'), 'supervision_feed.sync')
  const limit = Math.max(1, opts.limit ?? ENQUEUE_STEP_ROWS)
  const now = Math.trunc(opts.now)
  const cursors = new Map((await db.select().from(supervisionFeedCursors)).map((c) => [c.source, c]))
  const selects: string[] = []
  const moves: BatchItem<'sqlite'>[] = []
  for (const source of FEED_SOURCES) {
    const at = await resolveCursor(db, source, cursors.get(source))
    const end = await stepEnd(db, source, at.position, limit, now)
    if (!end) {
      if (at.moved) moves.push(moveCursor(db, source, at.position, at.sourceId, now, true))
      continue
    }
    selects.push(sourceSelect(source, at.position, end.to, now))
    moves.push(moveCursor(db, source, end.to, end.sourceId, now, at.moved))
  }
  if (selects.length === 0) {
    if (moves.length) await db.batch(moves as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])
    return { enqueued: {}, total: 0 }
  }
  const before = await lastSeq(db)
  const insert: SQL = sql.raw(
    `INSERT INTO supervision_feed_records (kind, idempotency_key, occurred_at, payload, enqueued_at)
     SELECT kind, k, occurred, payload, ${now} FROM (${selects.join(' UNION ALL ')}) ORDER BY occurred, src, pos`,
  )
  await db.batch([db.run(insert), ...moves])
  const counts = await db.all<{ kind: string; n: number }>(
    sql`SELECT kind, count(*) AS n FROM supervision_feed_records WHERE seq > ${before} AND enqueued_at = ${now} GROUP BY kind`,
  )
  const enqueued = Object.fromEntries(counts.map((c) => [c.kind, Number(c.n)]))
  return { enqueued, total: counts.reduce((s, c) => s + Number(c.n), 0) }
}

async function lastSeq(db: Db): Promise<number> {
  const [row] = await db.all<{ seq: number | null }>(sql`SELECT max(seq) AS seq FROM supervision_feed_records`)
  return Number(row?.seq ?? 0)
}

/**
 * The cursor at `position`. Forward only (another process may have gone further), unless `rewind`: the audit tail was
 * rewritten, or a VACUUM moved the rows.
 */
function moveCursor(db: Db, source: FeedSource, position: number, sourceId: string | null, now: number, rewind: boolean) {
  return db
    .insert(supervisionFeedCursors)
    .values({ source, position, sourceId, updatedAt: now })
    .onConflictDoUpdate({
      target: supervisionFeedCursors.source,
      set: rewind
        ? { position, sourceId, updatedAt: now }
        : {
            position: sql`max(${supervisionFeedCursors.position}, ${position})`,
            sourceId: sql`CASE WHEN ${position} >= ${supervisionFeedCursors.position} THEN ${sourceId} ELSE ${supervisionFeedCursors.sourceId} END`,
            updatedAt: now,
          },
    })
}
