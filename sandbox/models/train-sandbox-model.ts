import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { SQL } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import type { SandboxCaller } from '../jobs/run-sandbox-job.ts'
import type { SandboxDataset } from '../query/plan-query.ts'
import { fitOffThread } from './fit-off-thread.ts'
import { modelSpecSchema } from './model-spec.ts'
import { toModelView, type SandboxModelView } from './model-view.ts'
import type { TrainingSource } from './read-and-fit.ts'
import { planTrainingSet, type TrainingRow } from './training-set.ts'

const dialect = new SQLiteAsyncDialect()
const toSqlAndParams = (query: SQL) => {
  const { sql, params } = dialect.sqlToQuery(query)
  return { sql, params }
}

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
  const planned = planTrainingSet(spec, opts.datasets)
  if (!planned.ok) return planned
  const { plan, query, features } = planned.value
  const k = plan.k
  // On the embedded file the worker reads the rows itself; on the client path (a libsql server) they are read here.
  const native = nativeStoreOf(db)
  const source: TrainingSource = native
    ? { path: native.path, ...toSqlAndParams(query) }
    : { rows: await db.all<TrainingRow>(query) }
  const trained = await fitOffThread({ spec, k, features, source })
  if (!trained.ok) return trained
  const { fit, rowsRead, trainRows, testRows } = trained.value
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
      level: plan.level,
      k,
      trainRows,
      testRows,
      computeMs,
      metrics: JSON.stringify(fit.metrics),
      checks: JSON.stringify(fit.checks),
      artifact: JSON.stringify(fit.artifact),
      state: 'trained',
      bureauRequired: plan.level === 'L3' || plan.level === 'L4',
    })
    .returning()
  return ok({ model: toModelView(row!), rowsRead, computeMs })
}
