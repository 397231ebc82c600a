import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { auditLog, supervisionFeedBatches, supervisionFeedRecords, supervisionFeedState } from '#db/schema/index.ts'
import { GENESIS_HASH } from '#platform/audit/audit-hash.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import type { SupervisionFeedConfig } from './feed-config.ts'
import { FEED_SIGNATURE_HEADER, signFeedBody } from './sign-feed-batch.ts'

/** The version of the batch format (api-specs/supervision-feed.yaml `feedVersion`). */
export const FEED_VERSION = 1
export const FEED_STATE_ID = 'feed'
/** Records per batch, and a batch's body at most this many bytes (the receiver may take up to 8 MiB: the contract). */
export const FEED_BATCH_RECORDS = 500
export const FEED_BATCH_MAX_BYTES = 4 * 1024 * 1024
export const FEED_TIMEOUT_MS = 15_000
/** Backoff after a transient failure (5xx, 429, timeout, network): 1 s × 2^(failures − 1), at most 10 minutes. */
export const TRANSIENT_BACKOFF = { baseMs: 1_000, capMs: 10 * 60_000 }
/** Backoff after a refusal (4xx: bad signature, malformed batch): 1 min × 2^(failures − 1), at most 1 hour. */
export const REFUSED_BACKOFF = { baseMs: 60_000, capMs: 60 * 60_000 }

export interface FeedDeliveryReport {
  /** Batches the receiver accepted now. */
  batches: number
  /** Records in them, and how many of those the receiver already had (by idempotency key). */
  delivered: number
  duplicates: number
  /** The last seq the receiver has accepted (every record up to it). */
  deliveredSeq: number
  /** A failed attempt ends the run: its error (status and the receiver's code), and when the next attempt is due. */
  failed: boolean
  lastError: string | null
  nextAttemptAt: number | null
  /** The run did nothing: a backoff still runs until this time. */
  deferredUntil: number | null
}

type FeedStateRow = typeof supervisionFeedState.$inferSelect

export async function loadFeedState(db: Db, now: number): Promise<FeedStateRow> {
  const [row] = await db.select().from(supervisionFeedState).where(eq(supervisionFeedState.id, FEED_STATE_ID))
  return (
    row ?? {
      id: FEED_STATE_ID,
      deliveredSeq: 0,
      lastSuccessAt: null,
      consecutiveFailures: 0,
      lastError: null,
      lastFailureAt: null,
      nextAttemptAt: 0,
      lastWarning: null,
      updatedAt: now,
    }
  )
}

/** The audit chain's head now: its newest entry's seq and hash (seq 0 and the genesis hash while it is empty). */
export async function readAuditHead(db: Db): Promise<{ seq: number; hash: string }> {
  const [head] = await db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1)
  return head ?? { seq: 0, hash: GENESIS_HASH }
}

const isoOf = (ms: number) => new Date(ms).toISOString()

/**
 * The body of one batch, built as text: each record's payload is the JSON the enqueue step stored, inserted as it is,
 * so a resend carries the same record bytes. The signature covers these exact bytes.
 */
export function buildBatchBody(batch: {
  batchId: string
  sentAt: number
  auditHead: { seq: number; hash: string }
  records: { seq: number; kind: string; idempotencyKey: string; occurredAt: number; payload: string }[]
}): string {
  const records = batch.records.map(
    (r) =>
      `{"seq":${r.seq},"idempotencyKey":${JSON.stringify(r.idempotencyKey)},"kind":${JSON.stringify(r.kind)},"occurredAt":"${isoOf(r.occurredAt)}","payload":${r.payload}}`,
  )
  return (
    `{"feedVersion":${FEED_VERSION},"batchId":${JSON.stringify(batch.batchId)},` +
    `"firstSeq":${batch.records[0]!.seq},"lastSeq":${batch.records[batch.records.length - 1]!.seq},` +
    `"recordCount":${batch.records.length},"sentAt":"${isoOf(batch.sentAt)}",` +
    `"auditHead":{"seq":${batch.auditHead.seq},"hash":${JSON.stringify(batch.auditHead.hash)}},` +
    `"records":[${records.join(',')}]}`
  )
}

/** A batch's id: its first and last seq, so a retry of the same records is the same batch. */
export const batchIdOf = (firstSeq: number, lastSeq: number) => `sfb-${firstSeq}-${lastSeq}`

interface Answer {
  status: number | null
  json: Record<string, unknown> | null
  retryAfterMs: number | null
  networkError: string | null
}

async function post(config: SupervisionFeedConfig, body: string, timeoutMs: number): Promise<Answer> {
  const bytes = Buffer.from(body, 'utf8')
  try {
    const res = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        [FEED_SIGNATURE_HEADER]: signFeedBody(config.key, bytes),
        'user-agent': 'shenyang-public-data-platform supervision-feed/1',
      },
      body: bytes,
      // A redirect would carry the batch and its signature elsewhere: an answer like any other failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    let json: Record<string, unknown> | null = null
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>
    } catch {
      json = null
    }
    const retryAfter = Number(res.headers.get('retry-after'))
    return {
      status: res.status,
      json,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 3600) * 1000 : null,
      networkError: null,
    }
  } catch (error) {
    const cause = error instanceof Error && error.cause ? `: ${errorText(error.cause)}` : ''
    return { status: null, json: null, retryAfterMs: null, networkError: `${errorText(error)}${cause}`.slice(0, 300) }
  }
}

/** The receiver's error, as recorded (status, its code and message; never anything of ours such as the key). */
function describeFailure(answer: Answer): string {
  if (answer.status === null) return `network: ${answer.networkError ?? 'no answer'}`
  const error = answer.json?.error as Record<string, unknown> | undefined
  const code = typeof error?.code === 'string' ? error.code.slice(0, 80) : 'no_code'
  const message = typeof error?.message === 'string' ? `: ${error.message.slice(0, 200)}` : ''
  return `${answer.status} ${code}${message}`
}

const backoffMs = (failures: number, policy: { baseMs: number; capMs: number }) =>
  Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 20))

/**
 * Sends the outbox to the exchange platform in order (ADR 0025): the records after the last delivered seq, in batches
 * of ≤ `batchSize` records and ≤ 4 MiB, one batch at a time (order holds: a batch is sent only after the one before it
 * was accepted). Each batch carries the audit chain's head at the time of the attempt and is signed with HMAC-SM3
 * over its exact body. 2xx → delivered (duplicates included); 409 `sequence_gap` naming an earlier `expectedSeq` →
 * sent again from there (once per run); 5xx, 429, timeout or network error → retried after 1 s, 2 s, 4 s … 10 min;
 * another 4xx (a refused signature, a malformed batch) → retried, rebuilt and re-signed, after 1 min, 2 min … 1 h,
 * with the receiver's code on the bureau's page. Nothing is ever dropped. The first failure and the recovery are
 * audited; the attempts between them are the batch log's (supervision_feed_batches).
 */
export async function deliverFeedBatches(
  db: Db,
  opts: {
    config: SupervisionFeedConfig
    now: number
    batchSize?: number
    maxBatches?: number
    timeoutMs?: number
    actor?: Actor
    /** Send now even while a failure's backoff runs (a person asked). */
    force?: boolean
  },
): Promise<FeedDeliveryReport> {
  const actor = opts.actor ?? systemActor('supervision-feed')
  assertPermitted(actor, 'supervision_feed.sync')
  const now = Math.trunc(opts.now)
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? FEED_BATCH_RECORDS, 10_000))
  let state = await loadFeedState(db, now)
  const report: FeedDeliveryReport = {
    batches: 0,
    delivered: 0,
    duplicates: 0,
    deliveredSeq: state.deliveredSeq,
    failed: false,
    lastError: null,
    nextAttemptAt: null,
    deferredUntil: null,
  }
  if (state.nextAttemptAt > now && !opts.force) {
    report.deferredUntil = state.nextAttemptAt
    return report
  }
  let rewound = false
  for (let sent = 0; sent < (opts.maxBatches ?? Infinity); sent++) {
    // A batch that failed is sent again with the same records (same id), even if more were queued since.
    const [pending] = await db
      .select()
      .from(supervisionFeedBatches)
      .where(and(eq(supervisionFeedBatches.state, 'pending'), eq(supervisionFeedBatches.firstSeq, state.deliveredSeq + 1)))
      .orderBy(desc(supervisionFeedBatches.createdAt))
      .limit(1)
    const rows = await db
      .select()
      .from(supervisionFeedRecords)
      .where(
        and(
          gt(supervisionFeedRecords.seq, state.deliveredSeq),
          pending ? lte(supervisionFeedRecords.seq, pending.lastSeq) : undefined,
        ),
      )
      .orderBy(asc(supervisionFeedRecords.seq))
      .limit(pending ? pending.records : batchSize)
    let bytes = 0
    let take = 0
    for (const r of rows) {
      bytes += r.payload.length + r.idempotencyKey.length + 120
      if (take > 0 && bytes > FEED_BATCH_MAX_BYTES) break
      take++
    }
    rows.length = take
    if (rows.length === 0) break
    const firstSeq = rows[0]!.seq
    const lastSeq = rows[rows.length - 1]!.seq
    const batchId = batchIdOf(firstSeq, lastSeq)
    const auditHead = await readAuditHead(db)
    const body = buildBatchBody({ batchId, sentAt: now, auditHead, records: rows })
    const answer = await post(opts.config, body, opts.timeoutMs ?? FEED_TIMEOUT_MS)
    const batchRow = {
      id: batchId,
      firstSeq,
      lastSeq,
      records: rows.length,
      bytes: Buffer.byteLength(body),
      auditHeadSeq: auditHead.seq,
      auditHeadHash: auditHead.hash,
      lastStatus: answer.status,
      createdAt: now,
      lastAttemptAt: now,
    }
    const ok = answer.status !== null && answer.status >= 200 && answer.status < 300
    if (ok) {
      const duplicates = Math.min(rows.length, Math.max(0, Number(answer.json?.duplicates ?? 0) || 0))
      const warnings = Array.isArray(answer.json?.warnings)
        ? (answer.json.warnings as unknown[])
            .map((w) => (w && typeof w === 'object' ? String((w as Record<string, unknown>).code ?? '') : String(w)))
            .filter(Boolean)
            .join(', ')
            .slice(0, 300)
        : ''
      const recovered = state.consecutiveFailures > 0
      const next: FeedStateRow = {
        ...state,
        deliveredSeq: Math.max(state.deliveredSeq, lastSeq),
        lastSuccessAt: now,
        consecutiveFailures: 0,
        nextAttemptAt: 0,
        lastWarning: warnings ? `${batchId}: ${warnings}` : state.lastWarning,
        updatedAt: now,
      }
      const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
        upsertBatch(db, { ...batchRow, state: 'delivered', lastError: null, deliveredAt: now, duplicates }),
        saveState(db, next, true),
      ]
      if (recovered || warnings) {
        await recordAudit(
          db,
          {
            actor,
            action: warnings ? 'supervision_feed.receiver_warned' : 'supervision_feed.delivery_recovered',
            objectType: 'supervision_feed',
            objectId: batchId,
            detail: { firstSeq, lastSeq, failuresBefore: state.consecutiveFailures, ...(warnings ? { warnings } : {}) },
          },
          statements,
        )
      } else {
        await db.batch(statements)
      }
      state = next
      report.batches++
      report.delivered += rows.length
      report.duplicates += duplicates
      report.deliveredSeq = state.deliveredSeq
      continue
    }

    const error = describeFailure(answer)
    // The receiver says it lacks earlier records (it lost them): send again from there, once per run.
    const expectedSeq = Number((answer.json?.error as Record<string, unknown> | undefined)?.expectedSeq)
    if (answer.status === 409 && !rewound && Number.isInteger(expectedSeq) && expectedSeq >= 1 && expectedSeq <= firstSeq) {
      rewound = true
      const next: FeedStateRow = { ...state, deliveredSeq: expectedSeq - 1, updatedAt: now }
      await recordAudit(
        db,
        {
          actor,
          action: 'supervision_feed.rewound',
          objectType: 'supervision_feed',
          objectId: batchId,
          detail: { from: state.deliveredSeq, to: expectedSeq - 1, error },
        },
        [
          upsertBatch(db, { ...batchRow, state: 'pending', lastError: error, deliveredAt: null, duplicates: 0 }),
          saveState(db, next, false),
        ],
      )
      state = next
      report.deliveredSeq = state.deliveredSeq
      continue
    }
    const transient = answer.status === null || answer.status >= 500 || answer.status === 429
    const failures = state.consecutiveFailures + 1
    const wait = Math.max(backoffMs(failures, transient ? TRANSIENT_BACKOFF : REFUSED_BACKOFF), answer.retryAfterMs ?? 0)
    const next: FeedStateRow = {
      ...state,
      consecutiveFailures: failures,
      lastError: `${batchId}: ${error}`.slice(0, 500),
      lastFailureAt: now,
      nextAttemptAt: now + wait,
      updatedAt: now,
    }
    const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
      upsertBatch(db, { ...batchRow, state: 'pending', lastError: error, deliveredAt: null, duplicates: 0 }),
      saveState(db, next, false),
    ]
    if (failures === 1) {
      await recordAudit(
        db,
        {
          actor,
          action: 'supervision_feed.delivery_failed',
          objectType: 'supervision_feed',
          objectId: batchId,
          detail: { firstSeq, lastSeq, error, status: answer.status, retryAt: next.nextAttemptAt },
        },
        statements,
      )
    } else {
      await db.batch(statements)
    }
    report.failed = true
    report.lastError = next.lastError
    report.nextAttemptAt = next.nextAttemptAt
    break
  }
  return report
}

function upsertBatch(
  db: Db,
  row: Omit<typeof supervisionFeedBatches.$inferInsert, 'attempts'> & { createdAt: number; lastAttemptAt: number },
) {
  return db
    .insert(supervisionFeedBatches)
    .values({ ...row, attempts: 1 })
    .onConflictDoUpdate({
      target: supervisionFeedBatches.id,
      set: {
        state: row.state,
        attempts: sql`${supervisionFeedBatches.attempts} + 1`,
        bytes: row.bytes,
        auditHeadSeq: row.auditHeadSeq,
        auditHeadHash: row.auditHeadHash,
        lastStatus: row.lastStatus ?? null,
        lastError: row.lastError ?? null,
        lastAttemptAt: row.lastAttemptAt,
        deliveredAt: row.deliveredAt ?? null,
        duplicates: row.duplicates ?? 0,
      },
    })
}

/**
 * The state row. A success only moves `delivered_seq` forward (another process may have delivered further); a rewind
 * or a failure writes it as computed.
 */
function saveState(db: Db, row: FeedStateRow, forwardOnly: boolean) {
  const { id: _id, ...rest } = row
  return db
    .insert(supervisionFeedState)
    .values(row)
    .onConflictDoUpdate({
      target: supervisionFeedState.id,
      set: forwardOnly ? { ...rest, deliveredSeq: sql`max(${supervisionFeedState.deliveredSeq}, ${row.deliveredSeq})` } : rest,
    })
}
