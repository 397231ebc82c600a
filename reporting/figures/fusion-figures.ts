import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { ReportPeriod } from '../periods/report-period.ts'
import { breakdown, figure, groupBy, type Figure, type ReportSection } from './figure-types.ts'
import { lineageCodes, type UsageGroup } from './usage-groups.ts'

// Fusion and application (Art. 18, 25): products and sandbox jobs that combine datasets, and the application
// scenarios served (ADR 0032: a subscription is one scenario).

export interface ProductComposition {
  code: string
  name: string
  datasets: number
  sourceUnits: number
}

/** Products published by the period's end that combine two or more datasets; the note names how many source units. */
export const productsCombiningDatasets = (products: ProductComposition[]): Figure[] => {
  const combined = products.filter((p) => p.datasets >= 2)
  return [
    figure('products_published', 'count', products.length),
    {
      ...breakdown(
        'products_combining_datasets',
        'count',
        combined.map((p) => ({ key: p.code, label: p.name, value: p.datasets, note: `source_units=${p.sourceUnits}` })),
      ),
      // The figure counts products; each row's value is that product's datasets.
      value: combined.length,
    },
    figure('products_across_source_units', 'count', products.filter((p) => p.sourceUnits >= 2).length),
  ]
}

/** Answered calls whose answer drew on two or more datasets (lineage). */
export const callsCombiningDatasets = (groups: UsageGroup[]): Figure =>
  figure(
    'calls_combining_datasets',
    'count',
    groups.filter((g) => lineageCodes(g.datasetCodes).length >= 2).reduce((s, g) => s + g.calls, 0),
  )

/** Application scenarios (subscriptions) with at least one answered call in the period, by purpose. */
export const scenariosServed = (groups: UsageGroup[]): Figure =>
  breakdown(
    'scenarios_served',
    'count',
    [...groupBy(groups, (g) => g.purpose)].map(([purpose, gs]) => ({
      key: purpose,
      label: purpose,
      value: new Set(gs.map((g) => g.subscriptionId)).size,
    })),
  )

export interface SandboxJobCounts {
  jobs: number
  released: number
  combining: number
}

/** Sandbox jobs run in the period, released, and combining datasets; null when the platform has no sandbox table. */
export const sandboxFigures = (counts: SandboxJobCounts | null): Figure[] =>
  counts === null
    ? []
    : [
        figure('sandbox_jobs', 'count', counts.jobs),
        figure('sandbox_jobs_released', 'count', counts.released),
        figure('sandbox_jobs_combining_datasets', 'count', counts.combining),
      ]

/** How many datasets a sandbox query names (its `datasets` list, or a `dataset` and its `joins`); 0 when unreadable. */
export function datasetsOfSandboxQuery(query: string): number {
  try {
    const q = JSON.parse(query) as { datasets?: unknown; dataset?: unknown; joins?: unknown; from?: unknown }
    const names = new Set<string>()
    const add = (v: unknown) => {
      if (typeof v === 'string') names.add(v)
      else if (v && typeof v === 'object' && 'dataset' in v && typeof v.dataset === 'string') names.add(v.dataset)
    }
    for (const list of [q.datasets, q.joins]) if (Array.isArray(list)) list.forEach(add)
    add(q.dataset)
    add(q.from)
    return names.size
  } catch {
    return 0
  }
}

export async function findSandboxJobCounts(db: Db, p: ReportPeriod): Promise<SandboxJobCounts | null> {
  const [table] = await db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sandbox_jobs'`,
  )
  if (!table?.n) return null
  const jobs = await db.all<{ state: string; query: string }>(
    sql`SELECT state, query FROM sandbox_jobs WHERE at >= ${p.start} AND at < ${p.end}`,
  )
  return {
    jobs: jobs.length,
    released: jobs.filter((j) => j.state === 'released').length,
    combining: jobs.filter((j) => datasetsOfSandboxQuery(j.query) >= 2).length,
  }
}

export async function findProductCompositions(db: Db, p: ReportPeriod): Promise<ProductComposition[]> {
  return db.all<ProductComposition>(sql`
    SELECT p.code, p.name_zh AS name, count(pd.dataset_id) AS datasets, count(DISTINCT d.source_unit_id) AS sourceUnits
    FROM products p
    LEFT JOIN product_datasets pd ON pd.product_id = p.id
    LEFT JOIN datasets d ON d.id = pd.dataset_id
    WHERE p.published_at IS NOT NULL AND p.published_at < ${p.end}
    GROUP BY p.id ORDER BY p.code`)
}

export function fusionSection(
  products: ProductComposition[],
  groups: UsageGroup[],
  sandbox: SandboxJobCounts | null,
): ReportSection {
  return {
    key: 'fusion',
    figures: [
      ...productsCombiningDatasets(products),
      callsCombiningDatasets(groups),
      ...sandboxFigures(sandbox),
      scenariosServed(groups),
    ],
  }
}
