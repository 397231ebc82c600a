import { threadId } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { FitWorkerError, fitOffThread } from './fit-off-thread.ts'
import { modelSpecSchema, type ModelSpec } from './model-spec.ts'
import { readAndFit, type ReadAndFitInput } from './read-and-fit.ts'
import { planTrainingSet, type TrainingRow } from './training-set.ts'

const spec = (kind: ModelSpec['kind']): ModelSpec =>
  modelSpecSchema.parse({ kind, from: 'DS-X', features: ['DS-X.a', 'DS-X.b'], label: { field: 'DS-X.y', positive: ['1'] } })

/** Raw rows of a learnable set: y = 1 when `a` is above ½, blurred by `b`; a string feature with two values. */
function input(kind: ModelSpec['kind'], n = 800): ReadAndFitInput {
  const rows: TrainingRow[] = []
  for (let i = 0; i < n; i++) {
    const a = ((i * 37) % 101) / 100
    const b = ((i * 53) % 97) / 96
    rows.push({ s: `s${i}`, f0: a, f1: i % 3 === 0 ? 'north' : 'south', y: a + 0.2 * (b - 0.5) > 0.5 ? 1 : 0 })
  }
  return {
    spec: spec(kind),
    k: 10,
    features: [
      { ref: 'DS-X.a', type: 'number' },
      { ref: 'DS-X.b', type: 'string' },
    ],
    source: { rows },
  }
}

const value = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T => {
  if (!r.ok) throw new Error(r.error.code)
  return r.value
}

/**
 * Training leaves the event loop (ADR 0044 addendum): reading 100,000+ rows, sampling and fitting are seconds of CPU at
 * city scale and must not stall the metered calls the same process serves. The worker does exactly what the main
 * thread would, and reads the file database itself exactly as the client reads it.
 */
describe('fitOffThread', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.destroy())

  it('fits in another thread, and gives the same model, measures and checks as fitting in place', async () => {
    for (const kind of ['logistic_regression', 'decision_tree'] as const) {
      const off = value(await fitOffThread(input(kind)))
      const here = value(readAndFit(input(kind)))
      expect(here.fit.threadId).toBe(threadId)
      expect(off.fit.threadId).not.toBe(threadId)
      expect({ ...off, fit: { ...off.fit, threadId: 0 } }).toEqual({ ...here, fit: { ...here.fit, threadId: 0 } })
      expect(off.fit.metrics.test.auc).toBeGreaterThan(0.8)
      expect(off.columns.map((c) => c.name)).toEqual(['DS-X.a', 'DS-X.b=north', 'DS-X.b=south'])
    }
  })

  it('reads the database file in the worker exactly as the client reads it', async () => {
    const registry = 'DS-SCJG-0001'
    const [sub] = await t.db.all<{ product_id: string }>(
      sql`select s.product_id from subscriptions s join products p on p.id = s.product_id where p.code = 'data-sandbox' limit 1`,
    )
    const datasets = (await createDatasetRules(t.db)(sub!.product_id)).all
    const treeSpec = modelSpecSchema.parse({
      kind: 'decision_tree',
      from: registry,
      features: [`${registry}.registered_capital_wan`, `${registry}.industry`],
      label: { field: `${registry}.status`, positive: ['abnormal', 'revoked'] },
    })
    const planned = value(planTrainingSet(treeSpec, datasets))
    const common = { spec: treeSpec, k: planned.plan.k, features: planned.features }
    const { sql: text, params } = new SQLiteAsyncDialect().sqlToQuery(planned.query)
    const fromFile = value(await fitOffThread({ ...common, source: { path: t.path, sql: text, params } }))
    const fromClient = value(await fitOffThread({ ...common, source: { rows: await t.db.all<TrainingRow>(planned.query) } }))
    expect(fromFile.rowsRead).toBeGreaterThan(250)
    expect(fromFile).toEqual({ ...fromClient, fit: { ...fromClient.fit, threadId: fromFile.fit.threadId } })
  })

  it('answers what the partner can fix as a failed Result, from the worker', async () => {
    const few = input('logistic_regression', 100)
    expect(await fitOffThread(few)).toMatchObject({ ok: false, error: { code: 'too_few_rows' } })
  })

  it('queues fits asked at once and answers them in order, each from its own worker', async () => {
    const order: number[] = []
    const threads = await Promise.all(
      [1, 2, 3].map((i) =>
        fitOffThread(input('logistic_regression')).then((out) => {
          order.push(i)
          return value(out).fit.threadId
        }),
      ),
    )
    expect(order).toEqual([1, 2, 3])
    expect(new Set(threads).size).toBe(3)
  })

  it('rejects with FitWorkerError when the worker throws, and the next fit still runs', async () => {
    const broken = { ...input('logistic_regression'), source: { rows: null } } as unknown as ReadAndFitInput
    await expect(fitOffThread(broken)).rejects.toBeInstanceOf(FitWorkerError)
    expect(value(await fitOffThread(input('decision_tree'))).fit.threadId).not.toBe(threadId)
  })
})
