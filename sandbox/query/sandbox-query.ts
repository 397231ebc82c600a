import { z } from 'zod'

// The sandbox's query language (ADR 0038): a declarative JSON object, never SQL. Every name in it is a reference
// `<dataset code>.<field>` looked up in a whitelist (sandbox/views/); every value becomes a bound parameter. The limits
// keep one query small: it is compiled to one statement over at most three datasets.

export const MAX_DATASETS = 3
export const MAX_FILTERS = 12
export const MAX_IN_VALUES = 50
export const MAX_GROUP_BY = 3
export const MAX_AGGREGATES = 8
/** A result with more groups than this is refused (`too_many_groups`): narrower groups are a slower way to rows. */
export const MAX_GROUPS = 500
export const MAX_EPSILON = 1

export const FILTER_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between'] as const
export type FilterOp = (typeof FILTER_OPS)[number]
export const AGGREGATE_FUNCTIONS = ['count', 'count_subjects', 'sum', 'avg', 'min', 'max'] as const
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number]

const DATASET_CODE = /^[A-Z][A-Z0-9]{0,15}(-[A-Z0-9]{1,16}){1,3}$/
const FIELD_REF = /^[A-Z][A-Z0-9]{0,15}(-[A-Z0-9]{1,16}){1,3}\.[a-z][a-z0-9_]{0,63}$/

export const datasetCodeSchema = z.string().max(64).regex(DATASET_CODE, 'dataset_code')
/** `<dataset code>.<field>`, e.g. `DS-SCJG-0001.district_code`. */
export const fieldRefSchema = z.string().max(96).regex(FIELD_REF, 'field_ref')

const scalarSchema = z.union([z.string().max(64), z.number().finite()])
export type Scalar = z.infer<typeof scalarSchema>

const filterSchema = z
  .object({
    field: fieldRefSchema,
    op: z.enum(FILTER_OPS),
    value: z.union([scalarSchema, z.array(scalarSchema).min(1).max(MAX_IN_VALUES)]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const isList = Array.isArray(f.value)
    if (f.op === 'between' && !(Array.isArray(f.value) && f.value.length === 2))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'between_needs_two_values' })
    else if ((f.op === 'in' || f.op === 'not_in') && !isList)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'list_expected' })
    else if (f.op !== 'between' && f.op !== 'in' && f.op !== 'not_in' && isList)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'scalar_expected' })
  })
export type Filter = z.infer<typeof filterSchema>

const aggregateSchema = z
  .object({ fn: z.enum(AGGREGATE_FUNCTIONS), field: fieldRefSchema.optional() })
  .strict()
  .superRefine((a, ctx) => {
    const needsField = a.fn !== 'count' && a.fn !== 'count_subjects'
    if (needsField && a.field === undefined) ctx.addIssue({ code: 'custom', path: ['field'], message: 'required' })
    if (!needsField && a.field !== undefined) ctx.addIssue({ code: 'custom', path: ['field'], message: 'not_allowed' })
  })
export type Aggregate = z.infer<typeof aggregateSchema>

const unique = <T>(a: readonly T[]) => new Set(a.map((x) => JSON.stringify(x))).size === a.length

export const sandboxQuerySchema = z
  .object({
    /** The base dataset: its subjects are what k counts and what the dominance rule weighs. */
    from: datasetCodeSchema,
    /** Inner joins on a key both datasets declare (e.g. `uscc`). */
    join: z
      .array(z.object({ dataset: datasetCodeSchema, on: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'key') }).strict())
      .max(MAX_DATASETS - 1)
      .optional(),
    filters: z.array(filterSchema).max(MAX_FILTERS).optional(),
    groupBy: z.array(fieldRefSchema).max(MAX_GROUP_BY).refine(unique, 'duplicate').optional(),
    aggregates: z.array(aggregateSchema).min(1).max(MAX_AGGREGATES).refine(unique, 'duplicate'),
    /** Optional differential privacy: ε drawn from the subscription's budget for the period. */
    privacy: z
      .object({ epsilon: z.number().finite().gt(0).max(MAX_EPSILON) })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const codes = [q.from, ...(q.join ?? []).map((j) => j.dataset)]
    if (!unique(codes)) ctx.addIssue({ code: 'custom', path: ['join'], message: 'duplicate_dataset' })
  })

export type SandboxQuery = z.infer<typeof sandboxQuerySchema>

/** The key under which an aggregate's value appears in a result: `count`, `count_subjects`, `sum:DS-…​.field`. */
export const aggregateKey = (a: Aggregate): string => (a.field === undefined ? a.fn : `${a.fn}:${a.field}`)

/** Splits a field reference into dataset code and field name (the last dot separates them). */
export function splitFieldRef(ref: string): { dataset: string; field: string } {
  const dot = ref.lastIndexOf('.')
  return { dataset: ref.slice(0, dot), field: ref.slice(dot + 1) }
}
