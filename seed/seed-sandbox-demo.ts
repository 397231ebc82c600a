import { and, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { cityEnterprises, products, sandboxJobs, subscriptions, users } from '#db/schema/index.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { runSandboxJob } from '#sandbox/jobs/run-sandbox-job.ts'
import { requestSandboxExport } from '#sandbox/exports/request-sandbox-export.ts'
import { trainSandboxModel } from '#sandbox/models/train-sandbox-model.ts'
import { requestModelRelease } from '#sandbox/models/request-model-release.ts'

const REGISTRY = 'DS-SCJG-0001'
const TAX = 'DS-SW-0001'
/** The registry size below which the demo's analyses would be refused by disclosure control or the model's row floor. */
const MIN_ENTERPRISES = 1_000

/**
 * The sandbox's review queues for the demo (issue 13, 16: pending items in every role's queue), through the same
 * operations as the API: the demo developer's two released analyses, each with an export request waiting for the
 * operator (one on L2 data, one on L3 data that needs a second reviewer), and a logistic regression on L3 data whose
 * release waits for the operator, then the bureau. Skipped when the demo partner has sandbox jobs already, has no
 * active sandbox subscription, or there is no synthetic city to analyse.
 */
export async function seedSandboxDemo(db: Db, now = Date.now()): Promise<void> {
  const [user] = await db.select().from(users).where(eq(users.username, 'partner.dev'))
  if (!user?.partnerId) return
  const [sub] = await db
    .select({ id: subscriptions.id, productId: subscriptions.productId })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(and(eq(products.code, 'data-sandbox'), eq(subscriptions.partnerId, user.partnerId), eq(subscriptions.state, 'active')))
  if (!sub) return
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(sandboxJobs).where(eq(sandboxJobs.partnerId, user.partnerId))
  if (n > 0) return
  // Without the synthetic city (a platform seeded alone) there is nothing to analyse: the queues stay empty.
  const [{ enterprises } = { enterprises: 0 }] = await db.select({ enterprises: count() }).from(cityEnterprises)
  if (enterprises < MIN_ENTERPRISES) return

  const developer = userActor(user)
  const caller = { partnerId: user.partnerId, subscriptionId: sub.id, apiKeyId: 'seed', productId: sub.productId }
  const datasets = (await createDatasetRules(db)(sub.productId)).all
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T => {
    if (!r.ok) throw new Error(`seed sandbox: ${r.error.code} ${JSON.stringify(r.error)}`)
    return r.value
  }

  const analyses = [
    // L2: enterprises per district.
    { from: REGISTRY, groupBy: [`${REGISTRY}.district_code`], aggregates: [{ fn: 'count_subjects' }] },
    // L3: the registry joined to the tax-credit ratings, registered capital per rating.
    {
      from: REGISTRY,
      join: [{ dataset: TAX, on: 'uscc' }],
      groupBy: [`${TAX}.rating`],
      aggregates: [{ fn: 'count_subjects' }, { fn: 'avg', field: `${REGISTRY}.registered_capital_wan` }],
    },
  ]
  for (const [i, body] of analyses.entries()) {
    const at = now - (3 - i) * DAY_MS
    const job = must(await runSandboxJob(db, { caller, requestId: `req_seed_sandbox_${i}`, body, datasets, now: at }))
    must(await requestSandboxExport(db, { actor: developer, jobId: job.result.jobId, now: at + 3_600_000 }))
  }

  // L3 (the tax ratings): after the operator, the bureau reviews it too.
  const model = must(
    await trainSandboxModel(db, {
      caller,
      requestId: 'req_seed_sandbox_model',
      body: {
        kind: 'logistic_regression',
        from: REGISTRY,
        join: [{ dataset: TAX, on: 'uscc' }],
        features: [`${REGISTRY}.registered_capital_wan`, `${REGISTRY}.industry`, `${REGISTRY}.status`],
        label: { field: `${TAX}.rating`, positive: ['C', 'D'] },
      },
      datasets,
      now: now - DAY_MS,
    }),
  )
  // A model failing the reversibility checks is refused here rather than queued; the demo's regression passes them.
  must(await requestModelRelease(db, { actor: developer, modelId: model.model.id, now: now - DAY_MS + 600_000 }))
}
