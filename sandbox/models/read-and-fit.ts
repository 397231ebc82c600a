import { openQueryOnly, readRaw, toObjects } from '#db/read-rows.mjs'
import { ok, type Result } from '#platform/result.ts'
import { fitModel, type FitOutput } from './fit-model.ts'
import type { ModelSpec } from './model-spec.ts'
import { encodeTrainingSet, type EncodedColumn, type TrainingFeature, type TrainingRow } from './training-set.ts'

/** Where the training rows come from: the database file itself (read in the worker), or rows read already. */
export type TrainingSource = { path: string; sql: string; params: unknown[] } | { rows: TrainingRow[] }

export interface ReadAndFitInput {
  spec: ModelSpec
  k: number
  features: TrainingFeature[]
  source: TrainingSource
}

export interface ReadAndFitOutput {
  fit: FitOutput
  columns: EncodedColumn[]
  rowsRead: number
  trainRows: number
  testRows: number
}

/**
 * Reads (from a file database: on a read-only connection of its own), encodes and fits: everything of a training that
 * grows with the rows, so that the fitting worker (fit-off-thread.ts) does all of it and the main thread, which serves
 * the API, only plans before and stores after. A failure the partner can fix (too many or too few rows, one label
 * value, no usable feature) is a failed Result, as before.
 */
export function readAndFit(input: ReadAndFitInput): Result<ReadAndFitOutput> {
  const rows = 'rows' in input.source ? input.source.rows : readRows(input.source)
  const encoded = encodeTrainingSet(rows, input)
  if (!encoded.ok) return encoded
  const set = encoded.value
  const fit = fitModel({
    spec: input.spec,
    k: input.k,
    names: set.columns.map((c) => c.name),
    train: set.train,
    test: set.test,
    identifierLike: set.identifierLike,
  })
  return ok({
    fit,
    columns: set.columns,
    rowsRead: set.rowsRead,
    trainRows: set.train.y.length,
    testRows: set.test.y.length,
  })
}

/** The rows as objects keyed like the client's (`s`, `f0…`, `y`, in select order): the seeded sample hashes them. */
function readRows(source: { path: string; sql: string; params: unknown[] }): TrainingRow[] {
  const db = openQueryOnly(source.path)
  try {
    return toObjects(readRaw(db, source.sql, source.params)) as TrainingRow[]
  } finally {
    db.close()
  }
}
