import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { Db } from '#db/client.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import type { SandboxCaller } from '../jobs/run-sandbox-job.ts'
import type { SandboxDataset } from '../query/plan-query.ts'
import { evaluateModel } from './evaluate-model.ts'
import { fitDecisionTree, fitLogisticRegression, type FittedModel } from './learners.ts'
import { modelSpecSchema } from './model-spec.ts'
import { toModelView, type SandboxModelView } from './model-view.ts'
import { membershipInferenceAuc, runReversibilityChecks } from './reversibility-checks.ts'
import { loadTrainingSet } from './training-set.ts'

export const DEFAULT_TREE_DEPTH = 4

/**
 * Trains a model inside the platform (issue 13, ADR 0044): reads the authorized rows the specification names, holds out
 * a seeded share of subjects, fits the learner, measures it on both splits and runs the reversibility checks (leaf
 * size or parameters per row, identifier-like features, a membership-inference attack) while the rows are at hand. The
 * model is kept as `trained`; its artifact stays inside until reviewed and released. Only measures leave this function.
 * `computeMs` is the wall time inside the platform, metered like a job's.
 */
export async function trainSandboxModel(
  db: Db,
  opts: { caller: SandboxCaller; requestId: string; body: unknown; datasets: readonly SandboxDataset[]; now: number },
): Promise<Result<{ model: SandboxModelView; rowsRead: number; computeMs: number }>> {
  const parsed = modelSpecSchema.safeParse(opts.body)
  if (!parsed.success)
    return fail(
      'validation',
      'validation_failed',
      'The model does not follow the sandbox model schema',
      fieldErrors(parsed.error, { root: 'spec' }),
    )
  const spec = parsed.data
  const started = performance.now()
  const loaded = await loadTrainingSet(db, spec, opts.datasets)
  if (!loaded.ok) return loaded
  const set = loaded.value
  const k = set.plan.k
  const names = set.columns.map((c) => c.name)
  const seed = spec.params?.seed ?? 1

  let model: FittedModel
  if (spec.kind === 'logistic_regression') model = fitLogisticRegression(set.train.x, set.train.y, names)
  else
    model = fitDecisionTree(set.train.x, set.train.y, set.train.subjects, names, {
      maxDepth: spec.params?.maxDepth ?? DEFAULT_TREE_DEPTH,
      minLeafSize: spec.params?.minLeafSize ?? k,
    })
  const trainP = model.predict(set.train.x)
  const testP = model.predict(set.test.x)
  const metrics = { train: evaluateModel(trainP, set.train.y), test: evaluateModel(testP, set.test.y) }
  const membership = membershipInferenceAuc({
    seed,
    train: { p: trainP, y: set.train.y, subjects: set.train.subjects },
    test: { p: testP, y: set.test.y, subjects: set.test.subjects },
  })
  const checks = runReversibilityChecks({
    kind: spec.kind,
    k,
    trainRows: set.train.y.length,
    parameters: model.parameters,
    ...(model.smallestLeaf ? { smallestLeaf: model.smallestLeaf } : {}),
    identifierLike: set.identifierLike,
    membership,
  })
  const computeMs = Math.max(1, Math.round(performance.now() - started))
  const [row] = await db
    .insert(sandboxModels)
    .values({
      id: randomUUID(),
      partnerId: opts.caller.partnerId,
      subscriptionId: opts.caller.subscriptionId,
      productId: opts.caller.productId,
      apiKeyId: opts.caller.apiKeyId,
      requestId: opts.requestId,
      trainedAt: opts.now,
      kind: spec.kind,
      spec: JSON.stringify(spec),
      level: set.plan.level,
      k,
      trainRows: set.train.y.length,
      testRows: set.test.y.length,
      computeMs,
      metrics: JSON.stringify(metrics),
      checks: JSON.stringify(checks),
      artifact: JSON.stringify(model.artifact),
      state: 'trained',
      bureauRequired: set.plan.level === 'L3' || set.plan.level === 'L4',
    })
    .returning()
  return ok({ model: toModelView(row!), rowsRead: set.rowsRead, computeMs })
}
