import { desc, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { lagoMirror, lagoOutbox } from '#db/schema/index.ts'
import { lagoConfigFromEnv } from './lago-config.ts'

export interface LagoOutboxState {
  enabled: boolean
  apiUrl: string | null
  pending: number
  /** Pending rows that failed at least once (waiting for their backoff). */
  failing: number
  delivered: number
  /** Age in ms of the oldest pending row (since it was enqueued); null when nothing is pending. */
  oldestPendingAgeMs: number | null
  nextAttemptAt: number | null
  lastError: string | null
  lastDeliveredAt: number | null
  /** Usage events committed but not yet put into the outbox. */
  notEnqueued: number
  mirrored: { kind: string; count: number; lastSyncedAt: number }[]
  failingRows: { transactionId: string; code: string; attempts: number; nextAttemptAt: number; lastError: string | null }[]
}

/** The operator's view of the Lago outbox at `now`. */
export async function getLagoOutboxState(db: Db, opts: { now: number }): Promise<LagoOutboxState> {
  const config = lagoConfigFromEnv()
  const [counts] = await db.all<{
    pending: number
    failing: number
    delivered: number
    oldest: number | null
    next: number | null
    last: number | null
  }>(sql`SELECT
      coalesce(sum(state = 'pending'), 0) AS pending,
      coalesce(sum(state = 'pending' AND attempts > 0), 0) AS failing,
      coalesce(sum(state = 'delivered'), 0) AS delivered,
      min(CASE WHEN state = 'pending' THEN enqueued_at END) AS oldest,
      min(CASE WHEN state = 'pending' THEN next_attempt_at END) AS next,
      max(delivered_at) AS last
    FROM lago_outbox`)
  const [cursor] = await db.all<{ behind: number }>(
    sql`SELECT count(*) AS behind FROM usage_events WHERE rowid > coalesce((SELECT position FROM lago_cursors WHERE name = 'usage_events'), 0)`,
  )
  const failingRows = await db
    .select({
      transactionId: lagoOutbox.transactionId,
      code: lagoOutbox.code,
      attempts: lagoOutbox.attempts,
      nextAttemptAt: lagoOutbox.nextAttemptAt,
      lastError: lagoOutbox.lastError,
    })
    .from(lagoOutbox)
    .where(sql`${lagoOutbox.state} = 'pending' AND ${lagoOutbox.attempts} > 0`)
    .orderBy(desc(lagoOutbox.attempts), lagoOutbox.seq)
    .limit(20)
  const mirrored = await db
    .select({ kind: lagoMirror.kind, count: sql<number>`count(*)`, lastSyncedAt: sql<number>`max(${lagoMirror.syncedAt})` })
    .from(lagoMirror)
    .groupBy(lagoMirror.kind)
  return {
    enabled: config !== null,
    apiUrl: config?.apiUrl ?? null,
    pending: Number(counts?.pending ?? 0),
    failing: Number(counts?.failing ?? 0),
    delivered: Number(counts?.delivered ?? 0),
    oldestPendingAgeMs: counts?.oldest != null ? Math.max(0, opts.now - Number(counts.oldest)) : null,
    nextAttemptAt: counts?.next ?? null,
    lastError: failingRows[0]?.lastError ?? null,
    lastDeliveredAt: counts?.last ?? null,
    notEnqueued: Number(cursor?.behind ?? 0),
    mirrored: mirrored.map((m) => ({ ...m, count: Number(m.count) })),
    failingRows,
  }
}
