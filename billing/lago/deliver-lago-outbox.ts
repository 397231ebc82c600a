import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { lagoOutbox } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { lagoFailure, type LagoApi, type LagoFailure } from './lago-client.ts'

/** Lago takes at most 100 events per `POST /events/batch`. */
export const LAGO_BATCH_SIZE = 100
const IN_CLAUSE = 500

type OutboxRow = typeof lagoOutbox.$inferSelect

export interface DeliveryReport {
  /** Accepted by Lago now. */
  delivered: number
  /** Refused by Lago as already received (422 value_already_exist on transaction_id): counted as delivered. */
  duplicates: number
  /** Left pending with a later attempt (429, 5xx, network error, or refused). */
  failed: number
  batches: number
  lastError: string | null
}

interface BatchOutcome {
  delivered: string[]
  duplicates: string[]
  failed: { ids: string[]; failure: LagoFailure }[]
  requests: number
}

/**
 * Sends the due pending rows of the outbox to Lago in `events/batch` requests of ≤ 100, `concurrency` requests at a
 * time, oldest first, until none is due or `maxEvents` were tried. A 422 whose `error_details` name some events'
 * `transaction_id` as `value_already_exist` marks those delivered and resends the rest of the batch; 429, 5xx and
 * network errors leave the batch pending with exponential backoff (1 s, 2 s, 4 s … 10 min) and end the run.
 * Each round's outcome is committed with one audit entry.
 */
export async function deliverLagoOutbox(
  db: Db,
  opts: { client: LagoApi; now: number; concurrency?: number; maxEvents?: number; actor?: Actor },
): Promise<DeliveryReport> {
  assertPermitted(opts.actor ?? systemActor('lago-sync'), 'lago.sync')
  const concurrency = Math.max(1, opts.concurrency ?? 8)
  const report: DeliveryReport = { delivered: 0, duplicates: 0, failed: 0, batches: 0, lastError: null }
  let tried = 0
  const skip = new Set<string>()
  for (;;) {
    const room = Math.min(concurrency * LAGO_BATCH_SIZE, (opts.maxEvents ?? Infinity) - tried)
    if (room <= 0) break
    const rows = (
      await db
        .select()
        .from(lagoOutbox)
        .where(and(eq(lagoOutbox.state, 'pending'), lte(lagoOutbox.nextAttemptAt, opts.now)))
        .orderBy(asc(lagoOutbox.seq), asc(lagoOutbox.transactionId))
        .limit(room + skip.size)
    ).filter((r) => !skip.has(r.transactionId))
    if (rows.length === 0) break
    rows.length = Math.min(rows.length, room)
    tried += rows.length
    const batches: OutboxRow[][] = []
    for (let i = 0; i < rows.length; i += LAGO_BATCH_SIZE) batches.push(rows.slice(i, i + LAGO_BATCH_SIZE))
    const outcomes = await Promise.all(batches.map((b) => sendBatch(opts.client, b)))
    const delivered = outcomes.flatMap((o) => o.delivered)
    const duplicates = outcomes.flatMap((o) => o.duplicates)
    const failed = outcomes.flatMap((o) => o.failed)
    report.delivered += delivered.length
    report.duplicates += duplicates.length
    report.failed += failed.reduce((s, f) => s + f.ids.length, 0)
    report.batches += outcomes.reduce((s, o) => s + o.requests, 0)

    const statements: BatchItem<'sqlite'>[] = []
    const done = [...delivered, ...duplicates]
    for (let i = 0; i < done.length; i += IN_CLAUSE) {
      statements.push(
        db
          .update(lagoOutbox)
          .set({ state: 'delivered', deliveredAt: opts.now, lastError: null })
          .where(inArray(lagoOutbox.transactionId, done.slice(i, i + IN_CLAUSE))),
      )
    }
    for (const f of failed) {
      const text = `${f.failure.status ?? 'network'} ${f.failure.code}: ${f.failure.message}`.slice(0, 500)
      report.lastError = text
      for (const id of f.ids) skip.add(id)
      for (let i = 0; i < f.ids.length; i += IN_CLAUSE) {
        statements.push(
          db
            .update(lagoOutbox)
            .set({
              attempts: sql`${lagoOutbox.attempts} + 1`,
              // 1 s × 2^(failures so far), at most 10 minutes.
              nextAttemptAt: sql`${Math.trunc(opts.now)} + min(1000 * (1 << min(${lagoOutbox.attempts}, 20)), 600000)`,
              lastError: text,
            })
            .where(inArray(lagoOutbox.transactionId, f.ids.slice(i, i + IN_CLAUSE))),
        )
      }
    }
    await recordAudit(
      db,
      {
        actor: opts.actor ?? systemActor('lago-sync'),
        action: failed.length ? 'lago.events_failed' : 'lago.events_delivered',
        objectType: 'lago_outbox',
        objectId: null,
        detail: {
          delivered: delivered.length,
          duplicates: duplicates.length,
          failed: failed.reduce((s, f) => s + f.ids.length, 0),
          firstSeq: rows[0]!.seq,
          lastSeq: rows[rows.length - 1]!.seq,
          ...(failed.length ? { error: report.lastError } : {}),
        },
      },
      statements,
    )
    // Lago is unwell (or refused something): the rest waits for its backoff; the next run tries again.
    if (failed.some((f) => f.failure.retry)) break
  }
  return report
}

/** One batch, with the rest resent after Lago names some of its events as already received (at most 3 rounds). */
async function sendBatch(client: LagoApi, rows: OutboxRow[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { delivered: [], duplicates: [], failed: [], requests: 0 }
  let pending = rows
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    outcome.requests++
    try {
      await client.events.createBatchEvents({
        events: pending.map((r) => ({
          transaction_id: r.transactionId,
          external_subscription_id: r.externalSubscriptionId,
          code: r.code,
          timestamp: r.timestamp,
          properties: JSON.parse(r.properties) as Record<string, unknown>,
        })),
      })
      outcome.delivered.push(...pending.map((r) => r.transactionId))
      return outcome
    } catch (thrown) {
      const failure = await lagoFailure(thrown)
      const byIndex = failure.status === 422 && failure.details ? failure.details : null
      if (!byIndex) {
        outcome.failed.push({ ids: pending.map((r) => r.transactionId), failure })
        return outcome
      }
      const rest: OutboxRow[] = []
      const refused: string[] = []
      pending.forEach((r, i) => {
        const detail = byIndex[String(i)]
        if (detail === undefined) rest.push(r)
        else if (isAlreadyReceived(detail)) outcome.duplicates.push(r.transactionId)
        else refused.push(r.transactionId)
      })
      if (refused.length) outcome.failed.push({ ids: refused, failure })
      if (rest.length === pending.length) {
        // Nothing named per event: the whole batch was refused.
        outcome.failed.push({ ids: rest.map((r) => r.transactionId), failure })
        return outcome
      }
      pending = rest
    }
  }
  if (pending.length) {
    outcome.failed.push({
      ids: pending.map((r) => r.transactionId),
      failure: {
        retry: true,
        status: null,
        code: 'too_many_rounds',
        message: 'batch still refused after 3 rounds',
        details: null,
      },
    })
  }
  return outcome
}

function isAlreadyReceived(detail: unknown): boolean {
  if (!detail || typeof detail !== 'object') return false
  const txn = (detail as Record<string, unknown>).transaction_id
  return Array.isArray(txn) && txn.includes('value_already_exist')
}
