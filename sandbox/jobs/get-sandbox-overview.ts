import { and, asc, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasetFields, datasets, productDatasets, products, subscriptions, type SensitivityLevel } from '#db/schema/index.ts'
import { sandboxJobs, type SandboxJobState } from '#db/schema/sandbox.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { partnerScope } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { getPrivacyBudget, type PrivacyBudget } from '../privacy/privacy-budget.ts'
import { offeredFields } from '../query/plan-query.ts'
import { DATA_SANDBOX_PRODUCT } from '../sandbox-product.ts'
import { sandboxViewOf } from '../views/sandbox-views.ts'
import type { SandboxJobResult } from './run-sandbox-job.ts'

export interface SandboxCatalogField {
  /** `<dataset code>.<field>`, as a query names it. */
  ref: string
  name: string
  kind: 'dimension' | 'measure'
  type: 'string' | 'number'
  labelZh: string
  labelEn: string
}

export interface SandboxCatalogDataset {
  code: string
  nameZh: string
  nameEn: string
  level: SensitivityLevel
  keys: string[]
  unitZh: string
  unitEn: string
  fields: SandboxCatalogField[]
}

export interface SandboxJobSummary {
  id: string
  at: number
  state: SandboxJobState
  refusalCode: string | null
  query: unknown
  epsilon: number | null
  computeMs: number
  result: SandboxJobResult | null
}

export interface SandboxOverview {
  /** The partner's live sandbox subscriptions, each with its privacy budget for the period. */
  subscriptions: { id: string; purpose: 'industrial' | 'public_interest'; budget: PrivacyBudget }[]
  datasets: SandboxCatalogDataset[]
  jobs: SandboxJobSummary[]
}

/** What a query may name: the sandbox product's datasets, each with the fields the catalog lets it offer now. */
export async function getSandboxCatalog(db: Db): Promise<SandboxCatalogDataset[]> {
  const rows = await db
    .select({
      id: datasets.id,
      code: datasets.code,
      nameZh: datasets.nameZh,
      nameEn: datasets.nameEn,
      level: datasets.level,
      storeTable: datasets.storeTable,
    })
    .from(productDatasets)
    .innerJoin(products, eq(products.id, productDatasets.productId))
    .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .where(eq(products.code, DATA_SANDBOX_PRODUCT))
    .orderBy(asc(datasets.code))
  if (rows.length === 0) return []
  const fields = await db
    .select({ datasetId: datasetFields.datasetId, name: datasetFields.name, piTag: datasetFields.piTag })
    .from(datasetFields)
    .where(
      inArray(
        datasetFields.datasetId,
        rows.map((r) => r.id),
      ),
    )
  const out: SandboxCatalogDataset[] = []
  for (const r of rows) {
    const view = sandboxViewOf(r.storeTable)
    // L4 data leaves only as verdicts or scores: such a dataset is not offered.
    if (!view || r.level === 'L4') continue
    const offered = offeredFields({ ...r, fields: fields.filter((f) => f.datasetId === r.id) }, view)
    out.push({
      code: r.code,
      nameZh: r.nameZh,
      nameEn: r.nameEn,
      level: r.level,
      keys: Object.keys(view.keys),
      unitZh: view.unitZh,
      unitEn: view.unitEn,
      fields: [...offered].map(([name, def]) => ({
        ref: `${r.code}.${name}`,
        name,
        kind: def.kind,
        type: def.type,
        labelZh: def.labelZh,
        labelEn: def.labelEn,
      })),
    })
  }
  return out
}

/**
 * The developer's sandbox page (ADR 0038): the partner's sandbox subscriptions and their budgets, the datasets and
 * fields a query may name, and the partner's latest jobs with their disclosed results. A partner's actor sees its own
 * partner only; anyone else is refused.
 */
export async function getSandboxOverview(
  db: Db,
  opts: { actor: Actor; now: number; limit?: number },
): Promise<Result<SandboxOverview>> {
  const partnerId = partnerScope(opts.actor)
  if (partnerId === null || opts.actor.role === 'partner_api')
    return fail('forbidden', 'forbidden', `${opts.actor.role} has no sandbox of its own`)
  const subs = await db
    .select({ id: subscriptions.id, purpose: subscriptions.purpose })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(
      and(eq(subscriptions.partnerId, partnerId), eq(products.code, DATA_SANDBOX_PRODUCT), eq(subscriptions.state, 'active')),
    )
  const jobs = await db
    .select()
    .from(sandboxJobs)
    .where(eq(sandboxJobs.partnerId, partnerId))
    .orderBy(desc(sandboxJobs.at))
    .limit(Math.min(opts.limit ?? 20, 100))
  return ok({
    subscriptions: await Promise.all(
      subs.map(async (s) => ({ ...s, budget: await getPrivacyBudget(db, { subscriptionId: s.id, now: opts.now }) })),
    ),
    datasets: await getSandboxCatalog(db),
    jobs: jobs.map((j) => ({
      id: j.id,
      at: j.at,
      state: j.state,
      refusalCode: j.refusalCode,
      query: JSON.parse(j.query) as unknown,
      epsilon: j.epsilon === null ? null : Number(j.epsilon),
      computeMs: j.computeMs,
      result: j.result === null ? null : (JSON.parse(j.result) as SandboxJobResult),
    })),
  })
}
