import { and, eq, gt, isNotNull, lte, max } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasetLoads, datasets } from '#db/schema/index.ts'
import { systemActor } from '#platform/audit/record-audit.ts'
import { pullDatasetInterface, type PullOptions } from './pull-dataset-interface.ts'

export interface DuePullResult {
  datasetCode: string
  state: 'succeeded' | 'failed' | 'rejected' | 'skipped'
  error: string | null
}

/**
 * The scheduler's job (call it every minute or so): pulls each `interface`
 * dataset whose schedule (`pull_every_minutes` > 0) is due and whose
 * authorization in force allows interface delivery. A dataset is due when its
 * last pull started at least that many minutes ago, or it was never pulled.
 * Pulls run one after another; a failure is recorded and the next one runs.
 */
export async function runDuePulls(db: Db, opts: PullOptions & { now?: number } = {}): Promise<DuePullResult[]> {
  const now = opts.now ?? Date.now()
  const candidates = await db
    .selectDistinct({ id: datasets.id, code: datasets.code, every: datasets.pullEveryMinutes })
    .from(datasets)
    .innerJoin(
      authorizations,
      and(
        eq(authorizations.datasetId, datasets.id),
        eq(authorizations.state, 'active'),
        eq(authorizations.deliveryMode, 'interface'),
        lte(authorizations.startsAt, now),
        gt(authorizations.endsAt, now),
      ),
    )
    .where(and(isNotNull(datasets.interfaceUrl), gt(datasets.pullEveryMinutes, 0)))
  const results: DuePullResult[] = []
  for (const candidate of candidates) {
    const [last] = await db
      .select({ at: max(datasetLoads.startedAt) })
      .from(datasetLoads)
      .where(and(eq(datasetLoads.datasetId, candidate.id), eq(datasetLoads.mode, 'interface')))
    if (last?.at != null && last.at > now - candidate.every * 60_000) continue
    const outcome = await pullDatasetInterface(db, {
      ...opts,
      actor: systemActor('scheduler'),
      datasetCode: candidate.code,
      trigger: 'schedule',
      now,
    })
    results.push(
      outcome.ok
        ? { datasetCode: candidate.code, state: outcome.value.state, error: outcome.value.error }
        : { datasetCode: candidate.code, state: 'skipped', error: outcome.error.code },
    )
  }
  return results
}
