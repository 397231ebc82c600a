import { z } from 'zod'
import { SANDBOX_MODEL_KINDS } from '#db/schema/sandbox-models.ts'
import {
  datasetCodeSchema,
  fieldRefSchema,
  MAX_DATASETS,
  MAX_FILTERS,
  MAX_IN_VALUES,
  FILTER_OPS,
} from '../query/sandbox-query.ts'

// What a partner sends to train a model inside the sandbox (issue 13, ADR 0044): the datasets, joins and filters of the
// query language, the features (fields the sandbox offers), a binary label (a field and the values that count as
// positive) and a learner's few parameters. Never SQL, never a row.

export const MAX_FEATURES = 12
export const MAX_TREE_DEPTH = 8

const scalarSchema = z.union([z.string().max(64), z.number().finite()])

const filterSchema = z
  .object({
    field: fieldRefSchema,
    op: z.enum(FILTER_OPS),
    value: z.union([scalarSchema, z.array(scalarSchema).min(1).max(MAX_IN_VALUES)]),
  })
  .strict()

const unique = <T>(a: readonly T[]) => new Set(a.map((x) => JSON.stringify(x))).size === a.length

export const modelSpecSchema = z
  .object({
    kind: z.enum(SANDBOX_MODEL_KINDS),
    from: datasetCodeSchema,
    join: z
      .array(z.object({ dataset: datasetCodeSchema, on: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'key') }).strict())
      .max(MAX_DATASETS - 1)
      .optional(),
    filters: z.array(filterSchema).max(MAX_FILTERS).optional(),
    features: z.array(fieldRefSchema).min(1).max(MAX_FEATURES).refine(unique, 'duplicate'),
    /** A row is positive when the label field's value is one of `positive`. */
    label: z.object({ field: fieldRefSchema, positive: z.array(scalarSchema).min(1).max(MAX_IN_VALUES) }).strict(),
    params: z
      .object({
        /** Decision tree: the deepest split. */
        maxDepth: z.number().int().min(1).max(MAX_TREE_DEPTH).optional(),
        /** Decision tree: the tree is pruned until every leaf holds at least this many training subjects. */
        minLeafSize: z.number().int().min(1).max(10_000).optional(),
        /** The seed of the held-out split and the membership sample (default 1). */
        seed: z.number().int().min(0).max(2_147_483_647).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.features.includes(s.label.field)) ctx.addIssue({ code: 'custom', path: ['features'], message: 'label_as_feature' })
    if (s.kind === 'logistic_regression' && (s.params?.maxDepth !== undefined || s.params?.minLeafSize !== undefined))
      ctx.addIssue({ code: 'custom', path: ['params'], message: 'tree_params_on_regression' })
  })

export type ModelSpec = z.infer<typeof modelSpecSchema>
