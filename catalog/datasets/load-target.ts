import { and, asc, eq, gt, lte } from 'drizzle-orm'
import { createHash, randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { authorizations, datasetFields, datasetLoads, datasets, DELIVERY_MODES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { replaceStoreRows, storeColumns } from './dataset-store.ts'
import type { FieldSpec, RowProblem } from './validate-rows.ts'

// What every load (file, interface pull, table reload) shares: finding the
// dataset and the authorization that allows the delivery, and recording the
// outcome for lineage (Art. 8, 16) in one atomic batch with its audit entry.

export type DeliveryMode = (typeof DELIVERY_MODES)[number]
export type LoadTrigger = 'manual' | 'schedule' | 'cli' | 'seed'

export interface LoadTarget {
  id: string
  code: string
  sourceUnitId: string
  storeTable: string | null
  interfaceUrl: string | null
  fields: FieldSpec[]
}

export interface LoadOutcome {
  loadId: string
  state: 'succeeded' | 'failed' | 'rejected'
  rowsTotal: number
  rowsLoaded: number
  rowsRejected: number
  checksum: string | null
  attempts: number
  error: string | null
  /** Per-row problems of a rejected load (first ones). */
  problems: RowProblem[]
}

/**
 * The dataset to load, if the data may enter the platform now: an authorization
 * in force for it must allow this delivery mode (Art. 16 "按照授权意见"). A source
 * unit user may only touch its own datasets (sourceUnitId).
 */
export async function findLoadTarget(
  db: Db,
  opts: { datasetCode: string; mode: DeliveryMode; now: number; sourceUnitId?: string | null },
): Promise<Result<LoadTarget>> {
  const [dataset] = await db.select().from(datasets).where(eq(datasets.code, opts.datasetCode))
  if (!dataset || (opts.sourceUnitId && dataset.sourceUnitId !== opts.sourceUnitId)) {
    return fail('not_found', 'dataset_not_found', `No dataset ${opts.datasetCode}`)
  }
  const inForce = await db
    .select({ deliveryMode: authorizations.deliveryMode })
    .from(authorizations)
    .where(
      and(
        eq(authorizations.datasetId, dataset.id),
        eq(authorizations.state, 'active'),
        lte(authorizations.startsAt, opts.now),
        gt(authorizations.endsAt, opts.now),
      ),
    )
  if (inForce.length === 0) {
    return fail(
      'conflict',
      'dataset_not_authorized',
      `Dataset ${dataset.code} has no authorization in force; its data may not be loaded`,
    )
  }
  if (!inForce.some((a) => a.deliveryMode === opts.mode)) {
    const allowed = [...new Set(inForce.map((a) => a.deliveryMode))].join(', ')
    return fail(
      'conflict',
      'delivery_mode_mismatch',
      `The authorization of ${dataset.code} allows delivery by ${allowed}, not ${opts.mode}`,
    )
  }
  const fieldRows = await db
    .select()
    .from(datasetFields)
    .where(eq(datasetFields.datasetId, dataset.id))
    .orderBy(asc(datasetFields.ordinal))
  // A typed store table cannot hold null in a NOT NULL column: such fields are required whatever the registration says.
  const columns = dataset.storeTable ? storeColumns(dataset.storeTable) : null
  const fields = fieldRows.map((f) => ({
    name: f.name,
    type: f.type,
    required: f.required || Boolean(columns?.get(f.name)?.notNull),
  }))
  return ok({
    id: dataset.id,
    code: dataset.code,
    sourceUnitId: dataset.sourceUnitId,
    storeTable: dataset.storeTable,
    interfaceUrl: dataset.interfaceUrl,
    fields,
  })
}

export const sha256 = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex')

interface LoadRecord {
  actor: Actor
  requestId?: string | null
  dataset: LoadTarget
  mode: DeliveryMode
  trigger: LoadTrigger
  startedAt: number
  fileName?: string | null
  checksum: string | null
  attempts?: number
}

/** Replaces the dataset's data with `rows` and records the succeeded load: one batch, all or nothing. */
export async function commitGoodLoad(
  db: Db,
  load: LoadRecord & { rows: readonly Record<string, unknown>[] },
): Promise<LoadOutcome> {
  const loadId = randomUUID()
  const finishedAt = Date.now()
  const rowsTotal = load.rows.length
  await recordAudit(
    db,
    {
      actor: load.actor,
      action: 'dataset.load',
      objectType: 'dataset',
      objectId: load.dataset.id,
      requestId: load.requestId,
      detail: {
        code: load.dataset.code,
        loadId,
        mode: load.mode,
        trigger: load.trigger,
        rows: rowsTotal,
        checksum: load.checksum,
      },
    },
    [
      ...replaceStoreRows(db, load.dataset, load.rows, loadId),
      db.insert(datasetLoads).values({
        id: loadId,
        datasetId: load.dataset.id,
        mode: load.mode,
        trigger: load.trigger,
        actorLabel: load.actor.label,
        startedAt: load.startedAt,
        finishedAt,
        state: 'succeeded',
        rowsTotal,
        rowsLoaded: rowsTotal,
        rowsRejected: 0,
        checksum: load.checksum,
        fileName: load.fileName ?? null,
        attempts: load.attempts ?? 1,
      }),
    ],
  )
  return {
    loadId,
    state: 'succeeded',
    rowsTotal,
    rowsLoaded: rowsTotal,
    rowsRejected: 0,
    checksum: load.checksum,
    attempts: load.attempts ?? 1,
    error: null,
    problems: [],
  }
}

/** Records a load that changed nothing: `rejected` (bad rows, with the per-row report) or `failed` (could not fetch). */
export async function recordBadLoad(
  db: Db,
  load: LoadRecord & {
    state: 'failed' | 'rejected'
    error: string
    rowsTotal?: number
    rowsRejected?: number
    problems?: RowProblem[]
    problemCount?: number
  },
): Promise<LoadOutcome> {
  const loadId = randomUUID()
  const problems = load.problems ?? []
  const report =
    load.state === 'rejected' ? JSON.stringify({ problemCount: load.problemCount ?? problems.length, problems }) : null
  await recordAudit(
    db,
    {
      actor: load.actor,
      action: load.state === 'rejected' ? 'dataset.load_rejected' : 'dataset.load_failed',
      objectType: 'dataset',
      objectId: load.dataset.id,
      requestId: load.requestId,
      detail: { code: load.dataset.code, loadId, mode: load.mode, trigger: load.trigger, error: load.error },
    },
    [
      db.insert(datasetLoads).values({
        id: loadId,
        datasetId: load.dataset.id,
        mode: load.mode,
        trigger: load.trigger,
        actorLabel: load.actor.label,
        startedAt: load.startedAt,
        finishedAt: Date.now(),
        state: load.state,
        rowsTotal: load.rowsTotal ?? 0,
        rowsLoaded: 0,
        rowsRejected: load.rowsRejected ?? 0,
        checksum: load.checksum,
        fileName: load.fileName ?? null,
        attempts: load.attempts ?? 1,
        error: load.error,
        report,
      }),
    ],
  )
  return {
    loadId,
    state: load.state,
    rowsTotal: load.rowsTotal ?? 0,
    rowsLoaded: 0,
    rowsRejected: load.rowsRejected ?? 0,
    checksum: load.checksum,
    attempts: load.attempts ?? 1,
    error: load.error,
    problems,
  }
}
