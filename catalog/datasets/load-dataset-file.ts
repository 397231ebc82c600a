import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { ok, type Result } from '#platform/result.ts'
import { commitGoodLoad, findLoadTarget, recordBadLoad, sha256, type LoadOutcome } from './load-target.ts'
import { parseDatasetFile } from './parse-dataset-file.ts'
import { validateRows } from './validate-rows.ts'

export interface LoadProgress {
  phase: 'parse' | 'validate' | 'store' | 'done'
  done: number
  total: number
}

/**
 * Loads an uploaded CSV or JSON file into the platform store (Art. 16, `file`
 * delivery). Every row is checked against the dataset's fields; one bad row
 * rejects the whole file (nothing is loaded) and the load records a per-row
 * report. A good file replaces the dataset's data atomically. Either way the
 * load is recorded for lineage with the file's SHA-256.
 */
export async function loadDatasetFile(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    datasetCode: string
    fileName: string
    content: string | Uint8Array
    trigger?: 'manual' | 'cli'
    /** Set for a source-unit user: only its own datasets. */
    sourceUnitId?: string | null
    now?: number
    onProgress?: (p: LoadProgress) => void
  },
): Promise<Result<LoadOutcome>> {
  const startedAt = opts.now ?? Date.now()
  const target = await findLoadTarget(db, {
    datasetCode: opts.datasetCode,
    mode: 'file',
    now: startedAt,
    sourceUnitId: opts.sourceUnitId,
  })
  if (!target.ok) return target
  const dataset = target.value
  const base = {
    actor: opts.actor,
    requestId: opts.requestId,
    dataset,
    mode: 'file' as const,
    trigger: opts.trigger ?? 'manual',
    startedAt,
    fileName: opts.fileName,
    checksum: sha256(opts.content),
  }
  opts.onProgress?.({ phase: 'parse', done: 0, total: 0 })
  const parsed = parseDatasetFile(opts.fileName, opts.content)
  if (!parsed.ok) {
    return ok(await recordBadLoad(db, { ...base, state: 'rejected', error: parsed.message, problems: [], problemCount: 0 }))
  }
  const total = parsed.rows.length
  if (total === 0) return ok(await recordBadLoad(db, { ...base, state: 'rejected', error: 'the file holds no rows' }))
  opts.onProgress?.({ phase: 'validate', done: 0, total })
  const checked = validateRows(parsed.rows, dataset.fields)
  opts.onProgress?.({ phase: 'validate', done: total, total })
  if (checked.badRows > 0) {
    return ok(
      await recordBadLoad(db, {
        ...base,
        state: 'rejected',
        error: `${checked.badRows} of ${total} rows are invalid; nothing was loaded`,
        rowsTotal: total,
        rowsRejected: checked.badRows,
        problems: checked.problems,
        problemCount: checked.problemCount,
      }),
    )
  }
  opts.onProgress?.({ phase: 'store', done: 0, total })
  const outcome = await commitGoodLoad(db, { ...base, rows: checked.rows })
  opts.onProgress?.({ phase: 'done', done: total, total })
  return ok(outcome)
}
