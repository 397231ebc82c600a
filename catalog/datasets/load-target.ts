import { and, asc, eq, gt, lte } from 'drizzle-orm'
import { createHash, randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { authorizations, datasetFields, datasetLoads, datasets, DELIVERY_MODES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { replaceStoreRows, storeColumns } from './dataset-store.ts'
import type { TextEncodingName } from './decode-file-text.ts'
import type { FileFormat } from './parse-dataset-file.ts'
import type { Staging } from './stage-dataset-rows.ts'
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

/** Why a file load changed nothing, for callers that answer differently (the upload route's HTTP status). */
export type LoadRefusal =
  | 'too_large'
  | 'empty'
  | 'interrupted'
  | 'encoding'
  | 'format'
  | 'rows'
  | 'no_rows'
  | 'conflict'
  | 'authorization_ended'
  | 'unreadable'

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
  /** A file's text encoding as detected (file loads). */
  encoding?: TextEncodingName | null
  /** Why a file load changed nothing (file loads that did not succeed). */
  reason?: LoadRefusal | null
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
    // Paused by the bureau during a rectification (ADR 0028): no data enters until it resumes; said as such.
    const [suspended] = await db
      .select({ code: authorizations.code })
      .from(authorizations)
      .where(
        and(
          eq(authorizations.datasetId, dataset.id),
          eq(authorizations.state, 'suspended'),
          lte(authorizations.startsAt, opts.now),
          gt(authorizations.endsAt, opts.now),
        ),
      )
      .limit(1)
    if (suspended)
      return fail(
        'conflict',
        'authorization_suspended',
        `The authorization ${suspended.code} of ${dataset.code} is suspended pending rectification; no data may be loaded`,
      )
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
    piTag: f.piTag,
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

/** The audit entry of a load's outcome: who, which dataset, which load, by what mode and trigger, plus `extra`. */
function loadAuditEntry(load: LoadRecord, action: string, loadId: string, extra: Record<string, unknown>) {
  return {
    actor: load.actor,
    action,
    objectType: 'dataset',
    objectId: load.dataset.id,
    requestId: load.requestId,
    detail: { code: load.dataset.code, loadId, mode: load.mode, trigger: load.trigger, ...extra },
  }
}

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
  /** A file's text encoding and format, kept with the load for lineage. */
  encoding?: TextEncodingName | null
  format?: FileFormat | null
}

/** The load record's `report`: the per-row problems, and for a file how it was read. */
function reportOf(load: LoadRecord, problems: RowProblem[] | null, problemCount: number): string | null {
  const read = load.encoding || load.format ? { encoding: load.encoding ?? null, format: load.format ?? null } : {}
  if (problems === null && !load.encoding && !load.format) return null
  return JSON.stringify({ problemCount, problems: problems ?? [], ...read })
}

/** Replaces the dataset's data with `rows` and records the succeeded load: one batch, all or nothing. */
export async function commitGoodLoad(
  db: Db,
  load: LoadRecord & { rows: readonly Record<string, unknown>[] },
): Promise<LoadOutcome> {
  const loadId = randomUUID()
  const finishedAt = Date.now()
  const rowsTotal = load.rows.length
  await recordAudit(db, loadAuditEntry(load, 'dataset.load', loadId, { rows: rowsTotal, checksum: load.checksum }), [
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
      report: reportOf(load, null, 0),
    }),
  ])
  return succeededOutcome(load, loadId, rowsTotal)
}

function succeededOutcome(load: LoadRecord, loadId: string, rowsTotal: number): LoadOutcome {
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
    ...(load.encoding ? { encoding: load.encoding } : {}),
  }
}

/**
 * Makes a staged load the dataset's data: the swap and the succeeded load
 * record, with its audit entry, in one short batch (stage-dataset-rows.ts);
 * then the replaced rows are deleted in short steps. `loadId` is the one the
 * staging was opened with.
 */
export async function commitStagedLoad(
  db: Db,
  load: LoadRecord & { loadId: string; staging: Staging; rowsTotal: number },
): Promise<LoadOutcome> {
  const { loadId, rowsTotal } = load
  await recordAudit(
    db,
    loadAuditEntry(load, 'dataset.load', loadId, {
      rows: rowsTotal,
      checksum: load.checksum,
      ...(load.encoding ? { encoding: load.encoding } : {}),
    }),
    [
      ...load.staging.swapStatements(),
      db.insert(datasetLoads).values({
        id: loadId,
        datasetId: load.dataset.id,
        mode: load.mode,
        trigger: load.trigger,
        actorLabel: load.actor.label,
        startedAt: load.startedAt,
        finishedAt: Date.now(),
        state: 'succeeded',
        rowsTotal,
        rowsLoaded: rowsTotal,
        rowsRejected: 0,
        checksum: load.checksum,
        fileName: load.fileName ?? null,
        attempts: load.attempts ?? 1,
        report: reportOf(load, null, 0),
      }),
    ],
  )
  await load.staging.cleanUp()
  return succeededOutcome(load, loadId, rowsTotal)
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
    reason?: LoadRefusal
    loadId?: string
  },
): Promise<LoadOutcome> {
  const loadId = load.loadId ?? randomUUID()
  const problems = load.problems ?? []
  const report = reportOf(load, load.state === 'rejected' ? problems : null, load.problemCount ?? problems.length)
  await recordAudit(
    db,
    loadAuditEntry(load, load.state === 'rejected' ? 'dataset.load_rejected' : 'dataset.load_failed', loadId, {
      error: load.error,
      ...(load.encoding ? { encoding: load.encoding } : {}),
    }),
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
    ...(load.encoding ? { encoding: load.encoding } : {}),
    ...(load.reason ? { reason: load.reason } : {}),
  }
}
