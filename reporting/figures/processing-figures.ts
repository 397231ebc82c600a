import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { ReportPeriod } from '../periods/report-period.ts'
import { breakdown, figure, type Figure, type ReportSection } from './figure-types.ts'
import type { Names } from './interaction-figures.ts'
import type { UsageGroup } from './usage-groups.ts'

// Processing (Art. 13, 22): the meters of the answered calls (fields masked, records, compute, bytes), report exports
// and model releases.

const meter = (groups: UsageGroup[], pick: (g: UsageGroup) => number) => groups.reduce((s, g) => s + pick(g), 0)

export const meterFigures = (groups: UsageGroup[]): Figure[] => [
  figure(
    'fields_masked',
    'count',
    meter(groups, (g) => g.fieldsMasked),
  ),
  figure(
    'records_returned',
    'count',
    meter(groups, (g) => g.records),
  ),
  figure(
    'compute_ms',
    'ms',
    meter(groups, (g) => g.computeMs),
  ),
  figure(
    'bytes_out',
    'bytes',
    meter(groups, (g) => g.bytesOut),
  ),
  figure(
    'export_bytes',
    'bytes',
    meter(groups, (g) => g.exportBytes),
  ),
]

export interface ExportCounts {
  exports: number
  bytes: number
}

/** Report exports completed in the period (the jobs of report products). */
export const exportFigures = (e: ExportCounts): Figure[] => [figure('exports_completed', 'count', e.exports)]

export interface ReleaseGroup {
  productId: string
  releases: number
}

/** Model releases delivered in the period, by product. */
export const releasesByProduct = (groups: ReleaseGroup[], products: Names): Figure =>
  breakdown(
    'model_releases',
    'count',
    groups.map((g) => ({
      key: products.get(g.productId)?.code ?? g.productId,
      label: products.get(g.productId)?.name ?? g.productId,
      value: g.releases,
    })),
  )

export async function findExportCounts(db: Db, p: ReportPeriod): Promise<ExportCounts> {
  const [row] = await db.all<ExportCounts>(sql`
    SELECT count(*) AS exports, coalesce(sum(bytes), 0) AS bytes FROM report_exports
    WHERE state = 'succeeded' AND completed_at >= ${p.start} AND completed_at < ${p.end}`)
  return row ?? { exports: 0, bytes: 0 }
}

export async function findReleaseGroups(db: Db, p: ReportPeriod): Promise<ReleaseGroup[]> {
  return db.all<ReleaseGroup>(sql`
    SELECT product_id AS productId, count(*) AS releases FROM model_releases
    WHERE released_at >= ${p.start} AND released_at < ${p.end} GROUP BY product_id`)
}

export function processingSection(
  groups: UsageGroup[],
  exports: ExportCounts,
  releases: ReleaseGroup[],
  products: Names,
): ReportSection {
  return {
    key: 'processing',
    figures: [...meterFigures(groups), ...exportFigures(exports), releasesByProduct(releases, products)],
  }
}
