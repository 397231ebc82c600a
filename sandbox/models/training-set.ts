import { createHash } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import type { SandboxField } from '../views/sandbox-views.ts'
import { offeredFields, planQuery, type QueryPlan, type SandboxDataset } from '../query/plan-query.ts'
import { sandboxQuerySchema, splitFieldRef } from '../query/sandbox-query.ts'
import type { ModelSpec } from './model-spec.ts'

/** Rows a training may read inside the platform; above it the partner narrows the filters. */
export const MAX_ROWS_READ = 200_000
/** Rows a model is fitted on at most: a seeded sample of the rows read (the learners' cost grows with it). */
export const MAX_TRAIN_ROWS = { logistic_regression: 10_000, decision_tree: 2_000 } as const
export const MIN_TRAIN_ROWS = 200
export const MIN_TEST_ROWS = 50
/** Share of subjects held out for testing (and as the membership test's non-members). */
export const TEST_SHARE = 0.25
/** A string field contributes at most this many one-hot columns (its most frequent values). */
const MAX_LEVELS = 30

export interface EncodedColumn {
  /** `DS-….field` for a number, `DS-….field=value` for one value of a string field. */
  name: string
  field: string
  value?: string
}

export interface EncodedTrainingSet {
  columns: EncodedColumn[]
  /** Encoded features per row. */
  train: { x: number[][]; y: number[]; subjects: string[] }
  test: { x: number[][]; y: number[]; subjects: string[] }
  rowsRead: number
  /** Number features whose values are (nearly) all distinct: an identifier in disguise (ADR 0044). */
  identifierLike: string[]
}

/** A uniform number in [0, 1) from a seeded hash: deterministic, and the same subject always lands on the same side. */
export function seededUniform(seed: number, purpose: string, subject: string): number {
  const h = createHash('sha256').update(`${seed}|${purpose}|${subject}`).digest()
  return h.readUIntBE(0, 6) / 2 ** 48
}

/** A feature as the encoder sees it: its reference and whether it is a number (else one-hot over its values). */
export interface TrainingFeature {
  ref: string
  type: 'number' | 'string'
}

/** A raw training row: the subject `s`, the features `f0…`, the label `y` (0/1). Never leaves the platform. */
export type TrainingRow = Record<string, string | number | null>

export interface TrainingPlan {
  plan: QueryPlan
  /** Reads at most MAX_ROWS_READ + 1 rows (one more tells that there were too many). */
  query: SQL
  features: TrainingFeature[]
}

/**
 * Plans the training rows of a model specification (ADR 0044). The datasets, joins and filters are resolved by the
 * query planner exactly like a job's (the same whitelist, the same answers for an unknown dataset); features and the
 * label must be fields the sandbox offers. Reading and encoding the rows is encodeTrainingSet's, in the fitting
 * worker (fit-off-thread.ts): the rows stay in this process, and only the fitted model and its measures leave.
 */
export function planTrainingSet(spec: ModelSpec, datasets: readonly SandboxDataset[]): Result<TrainingPlan> {
  const query = sandboxQuerySchema.safeParse({
    from: spec.from,
    ...(spec.join ? { join: spec.join } : {}),
    ...(spec.filters ? { filters: spec.filters } : {}),
    aggregates: [{ fn: 'count' }],
  })
  if (!query.success)
    return fail(
      'validation',
      'validation_failed',
      'The model names datasets or filters the sandbox does not accept',
      fieldErrors(query.error, { root: 'spec' }),
    )
  const planned = planQuery(query.data, datasets)
  if (!planned.ok) return planned
  const plan = planned.value

  const byCode = new Map(datasets.map((d) => [d.code, d]))
  const inQuery = [plan.base, ...plan.joins.map((j) => j.dataset)]
  const resolve = (ref: string): SandboxField | undefined => {
    const { dataset, field } = splitFieldRef(ref)
    const p = inQuery.find((d) => d.code === dataset)
    const d = byCode.get(dataset)
    return p && d ? offeredFields(d, p.view).get(field) : undefined
  }
  const errors: Record<string, string> = {}
  const features = spec.features.map((ref, i) => {
    const def = resolve(ref)
    if (!def) errors[`features.${i}`] = 'unknown_field'
    return { ref, def }
  })
  const label = resolve(spec.label.field)
  if (!label) errors['label.field'] = 'unknown_field'
  else if (spec.label.positive.some((v) => typeof v !== (label.type === 'number' ? 'number' : 'string')))
    errors['label.positive'] = 'value_type'
  if (Object.keys(errors).length > 0)
    return fail('validation', 'validation_failed', 'The model names fields the sandbox does not offer', errors)

  const select: SQL[] = [sql`${plan.base.view.subject} as s`]
  features.forEach((f, i) => select.push(sql`${f.def!.expr} as ${sql.raw(`f${i}`)}`))
  select.push(sql`case when ${label!.expr} in ${spec.label.positive} then 1 else 0 end as y`)
  const from = sql.raw(`${plan.base.view.table} ${plan.base.view.alias}`)
  for (const j of plan.joins) from.append(sql` join ${sql.raw(`${j.dataset.view.table} ${j.dataset.view.alias}`)} on ${j.on}`)
  const where = [...plan.where, sql`${label!.expr} is not null`, ...features.map((f) => sql`${f.def!.expr} is not null`)]
  const rowsQuery = sql`select ${sql.join(select, sql`, `)} from ${from} where ${sql.join(where, sql` and `)} limit ${MAX_ROWS_READ + 1}`
  return ok({
    plan,
    query: rowsQuery,
    features: features.map((f) => ({ ref: f.ref, type: f.def!.type === 'number' ? 'number' : 'string' })),
  })
}

/**
 * Encodes the rows read for a model: a seeded sample, one-hot columns for the values of string features held by at
 * least k subjects, and the subjects split into train and test by a seeded hash, so one subject's rows are all on one
 * side (the membership test compares subjects, not rows). Pure: it runs in the fitting worker.
 */
export function encodeTrainingSet(
  rows: readonly TrainingRow[],
  opts: { spec: ModelSpec; k: number; features: readonly TrainingFeature[] },
): Result<EncodedTrainingSet> {
  const { spec, features } = opts
  if (rows.length > MAX_ROWS_READ)
    return fail('validation', 'too_many_rows', `A model reads at most ${MAX_ROWS_READ} rows: narrow the filters`, {
      filters: 'too_many_rows',
    })

  // A seeded sample of the rows read, then the subjects split into train and test.
  const seed = spec.params?.seed ?? 1
  const sampled = rows
    .map((r) => ({ r, u: seededUniform(seed, 'sample', `${String(r.s)}|${JSON.stringify(r)}`) }))
    .sort((a, b) => a.u - b.u)
    .slice(0, Math.ceil(MAX_TRAIN_ROWS[spec.kind] / (1 - TEST_SHARE)))
    .map((s) => s.r)

  // Encoding: numbers as they are; strings one-hot over their values held by at least k subjects (rarer values get no
  // column, so no coefficient or split describes fewer than k subjects).
  const columns: EncodedColumn[] = []
  const encoders: ((r: Record<string, string | number | null>) => number)[] = []
  const identifierLike: string[] = []
  features.forEach((f, i) => {
    const key = `f${i}`
    if (f.type === 'number') {
      columns.push({ name: f.ref, field: f.ref })
      encoders.push((r) => Number(r[key]))
      const distinct = new Set(sampled.map((r) => r[key])).size
      if (sampled.length >= 100 && distinct > 0.9 * sampled.length) identifierLike.push(f.ref)
      return
    }
    const subjectsByValue = new Map<string, Set<string>>()
    for (const r of sampled) {
      const v = String(r[key])
      let set = subjectsByValue.get(v)
      if (!set) subjectsByValue.set(v, (set = new Set()))
      set.add(String(r.s))
    }
    const kept = [...subjectsByValue.entries()]
      .filter(([, s]) => s.size >= opts.k)
      .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_LEVELS)
      .map(([v]) => v)
      .sort()
    for (const v of kept) {
      columns.push({ name: `${f.ref}=${v}`, field: f.ref, value: v })
      encoders.push((r) => (String(r[key]) === v ? 1 : 0))
    }
  })
  if (columns.length === 0)
    return fail('validation', 'validation_failed', 'No feature has a value held by enough subjects', {
      features: 'no_usable_feature',
    })

  const train: EncodedTrainingSet['train'] = { x: [], y: [], subjects: [] }
  const test: EncodedTrainingSet['test'] = { x: [], y: [], subjects: [] }
  for (const r of sampled) {
    const subject = String(r.s)
    const side = seededUniform(seed, 'split', subject) < TEST_SHARE ? test : train
    side.x.push(encoders.map((e) => e(r)))
    side.y.push(Number(r.y))
    side.subjects.push(subject)
  }
  if (train.y.length < MIN_TRAIN_ROWS || test.y.length < MIN_TEST_ROWS)
    return fail(
      'validation',
      'too_few_rows',
      `A model needs at least ${MIN_TRAIN_ROWS} training and ${MIN_TEST_ROWS} test rows`,
      {
        filters: 'too_few_rows',
      },
    )
  if (new Set(train.y).size < 2)
    return fail('validation', 'validation_failed', 'The label has one value only in the training rows', { label: 'single_class' })
  return ok({ columns, train, test, rowsRead: rows.length, identifierLike })
}
