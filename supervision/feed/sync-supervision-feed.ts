import type { Db } from '#db/client.ts'
import { systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { deliverFeedBatches, type FeedDeliveryReport } from './deliver-feed-batches.ts'
import { enqueueFeedRecords } from './enqueue-feed-records.ts'
import { supervisionFeedConfigFromEnv, type SupervisionFeedConfig } from './feed-config.ts'

/** How often the server's scheduler runs syncSupervisionFeed. */
export const SUPERVISION_FEED_INTERVAL_MS = 10_000
/** Enqueue steps (each ≤ ENQUEUE_STEP_ROWS per source) between two drains of one run. */
export const ENQUEUE_STEPS_PER_ROUND = 25

export interface SupervisionFeedSyncReport {
  enabled: boolean
  /** Records put into the outbox by this run, per kind. */
  enqueued: Record<string, number>
  delivery: FeedDeliveryReport | null
}

/** Two rounds' deliveries as one report (counts added; the last round's position and error). */
function mergeDelivery(a: FeedDeliveryReport, b: FeedDeliveryReport): FeedDeliveryReport {
  return {
    ...b,
    batches: a.batches + b.batches,
    delivered: a.delivered + b.delivered,
    duplicates: a.duplicates + b.duplicates,
  }
}

const running = new WeakMap<Db, Promise<SupervisionFeedSyncReport>>()

/**
 * The feed's job (the scheduler every 10 s, `supervision:sync`, the bureau's "sync now"): copies the new rows of every
 * log table into the outbox, then sends the outbox to the exchange platform until it is empty or a batch fails (its
 * backoff). Off — nothing read, nothing queued — when SUPERVISION_FEED_URL is unset. One run at a time per database in
 * this process; a run in another process can only send a batch twice, which the receiver takes as duplicates.
 */
export async function syncSupervisionFeed(
  db: Db,
  opts: {
    now: number
    config?: SupervisionFeedConfig | null
    actor?: Actor
    batchSize?: number
    timeoutMs?: number
    /** false: fill the outbox, send nothing. */
    drain?: boolean
    /** Send now even while a failure's backoff runs. */
    force?: boolean
  },
): Promise<SupervisionFeedSyncReport> {
  assertPermitted(opts.actor ?? systemActor('supervision-feed'), 'supervision_feed.sync')
  const config = opts.config === undefined ? supervisionFeedConfigFromEnv() : opts.config
  if (!config) return { enabled: false, enqueued: {}, delivery: null }
  const previous = running.get(db)
  if (previous) await previous.catch(() => undefined)
  const run = (async (): Promise<SupervisionFeedSyncReport> => {
    const enqueued: Record<string, number> = {}
    let delivery: FeedDeliveryReport | null = null
    // Rounds of at most ENQUEUE_STEPS_PER_ROUND steps, each followed by a drain: a backlog of millions (the feed just
    // switched on) starts going out at once instead of after all of it was copied.
    for (;;) {
      let capped = false
      for (let steps = 0; ; steps++) {
        if (steps === ENQUEUE_STEPS_PER_ROUND) {
          capped = true
          break
        }
        const step = await enqueueFeedRecords(db, { now: opts.now, actor: opts.actor })
        for (const [kind, n] of Object.entries(step.enqueued)) enqueued[kind] = (enqueued[kind] ?? 0) + n
        if (step.total === 0) break
      }
      if (opts.drain === false) {
        if (capped) continue
        return { enabled: true, enqueued, delivery: null }
      }
      const round = await deliverFeedBatches(db, {
        config,
        now: opts.now,
        actor: opts.actor,
        batchSize: opts.batchSize,
        timeoutMs: opts.timeoutMs,
        force: opts.force,
      })
      delivery = delivery ? mergeDelivery(delivery, round) : round
      if (!capped || round.failed || round.deferredUntil !== null) return { enabled: true, enqueued, delivery }
    }
  })()
  running.set(db, run)
  try {
    return await run
  } finally {
    if (running.get(db) === run) running.delete(db)
  }
}
