import { desc, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { supervisionFeedBatches, supervisionFeedCursors } from '#db/schema/index.ts'
import { loadFeedState, readAuditHead } from './deliver-feed-batches.ts'
import { BUCKET_CLOSED_AFTER_MS } from './enqueue-feed-records.ts'
import { displayFeedUrl, supervisionFeedConfigFromEnv, type SupervisionFeedConfig } from './feed-config.ts'

export interface SupervisionFeedState {
  enabled: boolean
  /** Where batches go (no user info or query); null when off. */
  url: string | null
  /** Records not yet accepted by the exchange: queued in the outbox, plus log rows not yet queued. */
  lag: {
    records: number
    queued: number
    notQueued: number
    /** Age in ms of the oldest record not yet accepted (from when it happened); null when none waits. */
    oldestAgeMs: number | null
  }
  /** Every record up to this seq was accepted. */
  deliveredSeq: number
  /** The newest seq in the outbox. */
  lastQueuedSeq: number
  lastSuccessAt: number | null
  consecutiveFailures: number
  lastError: string | null
  lastFailureAt: number | null
  /** When the next attempt may run (after a failure's backoff); null when not waiting. */
  nextAttemptAt: number | null
  lastWarning: string | null
  auditHead: { seq: number; hash: string }
  recentBatches: {
    id: string
    firstSeq: number
    lastSeq: number
    records: number
    state: string
    attempts: number
    lastStatus: number | null
    lastError: string | null
    auditHeadSeq: number
    lastAttemptAt: number | null
    deliveredAt: number | null
  }[]
}

/** Rows of each log table past the feed's cursor (what the next enqueue step would copy), and the oldest one's time. */
async function notQueued(db: Db, now: number): Promise<{ count: number; oldest: number | null }> {
  const cursors = new Map((await db.select().from(supervisionFeedCursors)).map((c) => [c.source, c.position]))
  const pos = (s: string) => cursors.get(s) ?? 0
  const [row] = await db.all<{ n: number; oldest: number | null }>(sql`SELECT
      (SELECT count(*) FROM usage_events WHERE rowid > ${pos('usage_events')})
      + (SELECT count(*) FROM rejected_calls WHERE rowid > ${pos('rejected_calls')})
      + (SELECT count(*) FROM audit_log WHERE seq > ${pos('audit_log')})
      + (SELECT count(*) FROM dataset_loads WHERE rowid > ${pos('dataset_loads')})
      + (SELECT count(*) FROM rejected_call_buckets WHERE minute > ${pos('rejected_call_buckets')} AND minute <= ${now - BUCKET_CLOSED_AFTER_MS}) AS n,
      min(
        coalesce((SELECT "at" FROM usage_events WHERE rowid > ${pos('usage_events')} ORDER BY rowid LIMIT 1), ${now}),
        coalesce((SELECT "at" FROM rejected_calls WHERE rowid > ${pos('rejected_calls')} ORDER BY rowid LIMIT 1), ${now}),
        coalesce((SELECT "at" FROM audit_log WHERE seq > ${pos('audit_log')} ORDER BY seq LIMIT 1), ${now}),
        coalesce((SELECT started_at FROM dataset_loads WHERE rowid > ${pos('dataset_loads')} ORDER BY rowid LIMIT 1), ${now})
      ) AS oldest`)
  const count = Number(row?.n ?? 0)
  return { count, oldest: count > 0 && row?.oldest != null ? Number(row.oldest) : null }
}

/** The feed's state at `now`: what the bureau's page and `supervision:status` show (ADR 0025). */
export async function getSupervisionFeedState(
  db: Db,
  opts: { now: number; config?: SupervisionFeedConfig | null },
): Promise<SupervisionFeedState> {
  const config = opts.config === undefined ? supervisionFeedConfigFromEnv() : opts.config
  const state = await loadFeedState(db, opts.now)
  const [queued] = await db.all<{ n: number; last: number | null; oldest: number | null }>(
    sql`SELECT count(*) AS n, (SELECT max(seq) FROM supervision_feed_records) AS last, min(occurred_at) AS oldest
        FROM supervision_feed_records WHERE seq > ${state.deliveredSeq}`,
  )
  const behind = await notQueued(db, opts.now)
  const oldest = [queued?.oldest ?? null, behind.oldest].filter((v): v is number => v !== null).map(Number)
  const batches = await db.select().from(supervisionFeedBatches).orderBy(desc(supervisionFeedBatches.lastAttemptAt)).limit(20)
  return {
    enabled: config !== null,
    url: config ? displayFeedUrl(config.url) : null,
    lag: {
      records: Number(queued?.n ?? 0) + behind.count,
      queued: Number(queued?.n ?? 0),
      notQueued: behind.count,
      oldestAgeMs: oldest.length ? Math.max(0, opts.now - Math.min(...oldest)) : null,
    },
    deliveredSeq: state.deliveredSeq,
    lastQueuedSeq: Number(queued?.last ?? 0),
    lastSuccessAt: state.lastSuccessAt,
    consecutiveFailures: state.consecutiveFailures,
    lastError: state.lastError,
    lastFailureAt: state.lastFailureAt,
    nextAttemptAt: state.nextAttemptAt > opts.now ? state.nextAttemptAt : null,
    lastWarning: state.lastWarning,
    auditHead: await readAuditHead(db),
    recentBatches: batches.map((b) => ({
      id: b.id,
      firstSeq: b.firstSeq,
      lastSeq: b.lastSeq,
      records: b.records,
      state: b.state,
      attempts: b.attempts,
      lastStatus: b.lastStatus,
      lastError: b.lastError,
      auditHeadSeq: b.auditHeadSeq,
      lastAttemptAt: b.lastAttemptAt,
      deliveredAt: b.deliveredAt,
    })),
  }
}
