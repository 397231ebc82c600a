import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import {
  commitStagedLoad,
  findLoadTarget,
  recordBadLoad,
  type LoadOutcome,
  type LoadRefusal,
  type LoadTarget,
} from './load-target.ts'
import { lockDatasetStore } from './lock-dataset-store.ts'
import type { ScanOptions, ScanSummary, StoreRow } from './scan-dataset-file.ts'
import { scanInPlace, scanInWorker, ScanWorkerError, type FileScan, type Written } from './scan-file-in-worker.ts'
import { openStaging, storeShapeOf, type Staging, type StagingProblem } from './stage-dataset-rows.ts'
import type { RowProblem } from './validate-rows.ts'
import { sealingKeyOf } from './seal-store-row.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { refuseUnlessPermitted, sourceUnitScope } from '#platform/identity/permissions.ts'

export interface LoadProgress {
  phase: 'parse' | 'validate' | 'store' | 'done'
  done: number
  total: number
  /** Bytes of the file read so far. */
  bytes?: number
}

/** The largest file intake accepts (UI upload and CLI alike). */
export const MAX_FILE_BYTES = 200 * 1024 * 1024
/** A file this small is scanned in place: a worker would cost more than the scan. */
const IN_PLACE_BYTES = 64 * 1024
/** Chunk size when the content is given whole. */
const CHUNK_BYTES = 64 * 1024
const PROGRESS_EVERY_MS = 1000

export type FileContent = string | Uint8Array | AsyncIterable<Uint8Array>

const megabytes = (n: number) => `${Math.round(n / (1024 * 1024))} MB`

/**
 * Loads a CSV or JSON file into the platform store (Art. 16, `file` delivery).
 * The file is read as a stream: decoded (UTF-8, UTF-16 with a BOM, or GB18030:
 * decode-file-text.ts), parsed and validated off the main thread in a worker
 * (a small file in place), while the main thread stages the good rows in short
 * transactions; the size limit is enforced as bytes arrive. Every row is
 * checked against the dataset's fields; one bad row rejects the whole file
 * with a per-row report, and nothing is loaded. A good file replaces the
 * dataset's data atomically (stage-dataset-rows.ts). Either way the load is
 * recorded for lineage with the file's SHA-256 and encoding.
 */
export async function loadDatasetFile(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    datasetCode: string
    fileName: string
    /** The file: whole, or as a stream of chunks (an upload's body, a file being read). */
    content: FileContent
    /** The size announced before the content (Content-Length, the file's size): over the limit, nothing is read. */
    declaredBytes?: number | null
    /** Default {@link MAX_FILE_BYTES}. */
    maxBytes?: number
    /** Aborted when the sender went away: the content is then cut short, not complete. */
    signal?: AbortSignal
    trigger?: 'manual' | 'cli'
    /** Set for a source-unit user: only its own datasets. */
    sourceUnitId?: string | null
    now?: number
    onProgress?: (p: LoadProgress) => void
  },
): Promise<Result<LoadOutcome>> {
  const denied = refuseUnlessPermitted(opts.actor, 'dataset.load_file')
  if (denied) return denied
  const startedAt = opts.now ?? Date.now()
  const target = await findLoadTarget(db, {
    datasetCode: opts.datasetCode,
    mode: 'file',
    now: startedAt,
    // A source-unit actor loads only its own datasets, whatever the caller passed (another's: not found).
    sourceUnitId: sourceUnitScope(opts.actor) ?? opts.sourceUnitId,
  })
  if (!target.ok) return target
  const dataset = target.value
  const unlock = lockDatasetStore(db, dataset.storeTable ?? dataset.id)
  if (!unlock) {
    return fail('conflict', 'load_in_progress', `A load of ${dataset.code} is under way; try again when it has finished`)
  }
  try {
    return ok(await runLoad(db, opts, dataset, startedAt))
  } finally {
    unlock()
  }
}

type Options = Parameters<typeof loadDatasetFile>[1]
type Next = { chunk: Uint8Array } | { done: true } | { error: unknown }

async function runLoad(db: Db, opts: Options, dataset: LoadTarget, startedAt: number): Promise<LoadOutcome> {
  const loadId = randomUUID()
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES
  const base = {
    actor: opts.actor,
    requestId: opts.requestId,
    dataset,
    mode: 'file' as const,
    trigger: opts.trigger ?? 'manual',
    startedAt,
    fileName: opts.fileName,
    loadId,
  }
  const tooLarge = `the file is over ${megabytes(maxBytes)}; nothing was loaded`
  opts.onProgress?.({ phase: 'parse', done: 0, total: 0, bytes: 0 })
  if (opts.declaredBytes != null && opts.declaredBytes > maxBytes) {
    return recordBadLoad(db, { ...base, checksum: null, state: 'rejected', error: tooLarge, reason: 'too_large' })
  }

  const source = chunksOf(opts.content)[Symbol.asyncIterator]()
  const next = async (): Promise<Next> => {
    try {
      const r = await source.next()
      return r.done ? { done: true } : { chunk: r.value }
    } catch (error) {
      return { error }
    }
  }
  // The first bytes decide where the scan runs.
  const head: Uint8Array[] = []
  let headBytes = 0
  let last: Next | null = null
  while (headBytes <= IN_PLACE_BYTES) {
    last = await next()
    if (!('chunk' in last)) break
    head.push(last.chunk)
    headBytes += last.chunk.length
    last = null
  }
  const scanOptions: ScanOptions = {
    fileName: opts.fileName,
    fields: dataset.fields,
    shape: storeShapeOf(dataset),
    // Personal fields are sealed in the scan (off the main thread), under the current data key.
    sealingKey: sealingKeyOf(getDataKeyring().current),
  }
  const scan: FileScan = last && !('chunk' in last) ? scanInPlace(scanOptions) : scanInWorker(scanOptions)

  let staging: Staging | null = null
  let stagingProblem: StagingProblem | null = null
  let bytes = 0
  let isTooLarge = false
  let isInterrupted = last !== null && 'error' in last
  let isScanFailed = false
  let rowsRead = 0
  let lastProgress = performance.now()
  // One chunk ahead: the worker scans the next chunk while this thread stores the rows of the one before.
  const inFlight: Promise<Written>[] = []

  const store = async (rows: StoreRow[]) => {
    if (stagingProblem || rows.length === 0) return
    staging ??= await openStaging(db, { dataset, loadId })
    stagingProblem = await staging.insert(rows)
  }
  const settle = async (ahead: number) => {
    while (inFlight.length > ahead) {
      const written = await inFlight.shift()!
      isScanFailed ||= written.isFailed
      rowsRead = written.rowsRead
      await store(written.rows)
    }
    if (opts.onProgress && performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = performance.now()
      opts.onProgress({ phase: 'validate', done: rowsRead, total: 0, bytes })
    }
  }
  const feed = async (chunk: Uint8Array) => {
    bytes += chunk.length
    if (bytes > maxBytes) {
      isTooLarge = true
      return
    }
    // After a failure the rest is read but not scanned, so that the sender gets its answer once it has sent the file.
    if (isScanFailed || stagingProblem) return
    inFlight.push(scan.write(chunk))
    await settle(1)
  }

  let summary: ScanSummary
  try {
    for (const chunk of head) {
      await feed(chunk)
      if (isTooLarge) break
    }
    while (!isTooLarge && !isInterrupted && !(last && 'done' in last)) {
      last = await next()
      if ('chunk' in last) await feed(last.chunk)
      else if ('error' in last) isInterrupted = true
    }
    // The body of an upload whose client hung up may end early without an error: the signal tells.
    if (opts.signal?.aborted) isInterrupted = true
    await settle(0)
    const ended = await scan.end({ isComplete: !isTooLarge && !isInterrupted })
    await store(ended.rows)
    summary = ended.summary
  } catch (error) {
    await discard(staging)
    if (!(error instanceof ScanWorkerError)) throw error
    // The reader itself gave up (out of memory on a hostile file): the file is refused, the platform stays up.
    return recordBadLoad(db, {
      ...base,
      checksum: null,
      state: 'failed',
      reason: 'unreadable',
      error: `the file could not be read (${error.message}); nothing was loaded`,
    })
  } finally {
    await scan.close()
    // Stop reading a stream left unfinished (too large, client gone); an upload's socket is then closed by the route.
    if (!(last && 'done' in last)) await source.return?.(undefined).catch(() => undefined)
  }

  const read = { checksum: summary.checksum, encoding: summary.encoding, format: summary.format }
  const refuse = async (
    state: 'rejected' | 'failed',
    reason: LoadRefusal,
    error: string,
    more: { problems?: RowProblem[]; problemCount?: number; rowsTotal?: number; rowsRejected?: number } = {},
  ) => {
    await discard(staging)
    return recordBadLoad(db, { ...base, ...read, state, reason, error, ...more })
  }
  if (isTooLarge) return refuse('rejected', 'too_large', tooLarge, { rowsTotal: summary.rowsTotal })
  if (isInterrupted) {
    return refuse('failed', 'interrupted', 'the upload stopped before the end of the file; nothing was loaded')
  }
  if (summary.bytes === 0) return refuse('rejected', 'empty', 'the file is empty')
  if (summary.failure) {
    return refuse('rejected', summary.failure.reason, summary.failure.message, {
      problems: summary.failure.problems,
      problemCount: summary.failure.problems.length,
      rowsTotal: summary.rowsTotal,
      rowsRejected: summary.failure.problems.length > 0 ? 1 : 0,
    })
  }
  const total = summary.rowsTotal
  if (total === 0) return refuse('rejected', 'no_rows', 'the file holds no rows')
  opts.onProgress?.({ phase: 'validate', done: total, total, bytes })
  if (summary.badRows > 0) {
    return refuse('rejected', 'rows', `${summary.badRows} of ${total} rows are invalid; nothing was loaded`, {
      rowsTotal: total,
      rowsRejected: summary.badRows,
      problems: summary.problems,
      problemCount: summary.problemCount,
    })
  }
  const problem = stagingProblem as StagingProblem | null
  if (problem?.kind === 'row') {
    return refuse('rejected', 'rows', `${problem.message}; nothing was loaded`, {
      rowsTotal: total,
      rowsRejected: 1,
      problems: [{ row: problem.row, field: problem.field, problem: problem.problem }],
      problemCount: 1,
    })
  }
  if (problem?.kind === 'conflict') return refuse('failed', 'conflict', `${problem.message}; nothing was loaded`)
  const staged = staging as Staging | null
  if (!staged || staged.staged !== total) throw new Error(`load ${loadId}: ${staged?.staged ?? 0} of ${total} rows staged`)
  opts.onProgress?.({ phase: 'store', done: staged.staged, total, bytes })
  // The authorization may have ended while the file streamed in (Art. 17): then the data may not enter.
  const still = await findLoadTarget(db, { datasetCode: dataset.code, mode: 'file', now: Date.now() })
  if (!still.ok) return refuse('failed', 'authorization_ended', `${still.error.message}; nothing was loaded`)
  if (!(await staged.isIntact())) {
    return refuse('failed', 'conflict', 'the staged rows were changed by another load meanwhile; nothing was loaded')
  }
  let outcome: LoadOutcome
  try {
    outcome = await commitStagedLoad(db, { ...base, ...read, staging: staged, rowsTotal: total })
  } catch (error) {
    await discard(staged)
    throw error
  }
  opts.onProgress?.({ phase: 'done', done: total, total, bytes })
  return outcome
}

async function discard(staging: Staging | null) {
  await staging?.discard()
}

/** The content as chunks: a stream as it comes, a whole file in slices. */
async function* chunksOf(content: FileContent): AsyncGenerator<Uint8Array> {
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    yield* content
    return
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) yield bytes.subarray(i, i + CHUNK_BYTES)
}
