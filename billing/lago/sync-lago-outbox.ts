import type { Db } from '#db/client.ts'
import { systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { deliverLagoOutbox, type DeliveryReport } from './deliver-lago-outbox.ts'
import { enqueueLagoEvents } from './enqueue-lago-events.ts'
import { createLagoClient, type LagoApi } from './lago-client.ts'
import { lagoConfigFromEnv, type LagoConfig } from './lago-config.ts'
import { mirrorLagoObjects, type MirrorReport } from './mirror-lago-objects.ts'

/** How often the server's scheduler runs syncLagoOutbox. */
export const LAGO_SYNC_INTERVAL_MS = 10_000

export interface LagoSyncReport {
  enabled: boolean
  enqueued: number
  mirror: MirrorReport | null
  delivery: DeliveryReport | null
}

const running = new WeakMap<Db, Promise<LagoSyncReport>>()

/**
 * The Lago job (scheduler every LAGO_SYNC_INTERVAL_MS, and `lago:sync`): puts new usage events into the outbox,
 * mirrors metrics, plans, customers and subscriptions, then drains the outbox (until empty, or Lago fails: backoff).
 * Does nothing when LAGO_API_URL / LAGO_API_KEY are unset (the embedded engine alone). One run at a time per
 * database in this process; a run in another process can only resend, which Lago refuses as value_already_exist.
 * With `drain: false`, the outbox is filled but nothing is sent.
 */
export async function syncLagoOutbox(
  db: Db,
  opts: { now: number; config?: LagoConfig | null; client?: LagoApi; concurrency?: number; drain?: boolean; actor?: Actor },
): Promise<LagoSyncReport> {
  // The job's own actor when none is given; a wrong one throws PermissionError before anything is read.
  assertPermitted(opts.actor ?? systemActor('lago-sync'), 'lago.sync')
  const config = opts.config === undefined ? lagoConfigFromEnv() : opts.config
  if (!config && !opts.client) return { enabled: false, enqueued: 0, mirror: null, delivery: null }
  const previous = running.get(db)
  if (previous) await previous.catch(() => undefined)
  const run = (async (): Promise<LagoSyncReport> => {
    const client = opts.client ?? createLagoClient(config!)
    let enqueued = 0
    for (;;) {
      const step = await enqueueLagoEvents(db, { now: opts.now, actor: opts.actor })
      enqueued += step.usageEvents
      if (step.usageEvents === 0) break
    }
    if (opts.drain === false) return { enabled: true, enqueued, mirror: null, delivery: null }
    const mirror = await mirrorLagoObjects(db, { client, now: opts.now, actor: opts.actor })
    const delivery = await deliverLagoOutbox(db, { client, now: opts.now, concurrency: opts.concurrency, actor: opts.actor })
    return { enabled: true, enqueued, mirror, delivery }
  })()
  running.set(db, run)
  try {
    return await run
  } finally {
    if (running.get(db) === run) running.delete(db)
  }
}
