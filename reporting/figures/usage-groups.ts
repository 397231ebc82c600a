import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { parseMonth } from '#platform/calendar/shanghai-calendar.ts'
import type { ReportPeriod } from '../periods/report-period.ts'

// The period's answered calls (usage_events with status < 400, as billing and the concentration watch count them),
// summed in ONE scan of the time index into groups by subscription, lineage and Shanghai month. Every interaction,
// processing and fusion figure is a small pure function over these groups: a year of a million events is one pass.

export interface UsageGroup {
  subscriptionId: string
  partnerId: string
  productId: string
  purpose: 'industrial' | 'public_interest'
  /** Lineage: comma-separated codes, as the gateway recorded them. */
  sourceUnitCodes: string
  datasetCodes: string
  month: string
  calls: number
  records: number
  fieldsMasked: number
  bytesOut: number
  computeMs: number
  exportBytes: number
}

/**
 * The month of an event by comparing its instant with the months' Shanghai boundaries (from platform/calendar): a few
 * integer comparisons per row instead of formatting a date per row (strftime), the costliest step of a year's scan.
 */
function monthOf(p: ReportPeriod) {
  const cases = p.months.slice(0, -1).map((m) => sql`WHEN at < ${parseMonth(m)!.end} THEN ${m} `)
  return sql`CASE ${sql.join(cases)}ELSE ${p.months.at(-1)!} END`
}

export async function findUsageGroups(db: Db, p: ReportPeriod): Promise<UsageGroup[]> {
  // A subscription has one partner, product and purpose: grouping by it alone (and taking theirs with min) sorts on
  // fewer keys for the same groups.
  return db.all<UsageGroup>(sql`
    SELECT subscription_id AS subscriptionId, min(partner_id) AS partnerId, min(product_id) AS productId,
      min(purpose) AS purpose, source_unit_codes AS sourceUnitCodes, dataset_codes AS datasetCodes,
      ${monthOf(p)} AS month,
      sum(calls) AS calls, sum(records) AS records, sum(fields_masked) AS fieldsMasked, sum(bytes_out) AS bytesOut,
      sum(compute_ms) AS computeMs, sum(export_bytes) AS exportBytes
    FROM usage_events
    WHERE at >= ${p.start} AND at < ${p.end} AND status < 400
    GROUP BY subscription_id, source_unit_codes, dataset_codes, month`)
}

/** The codes of a lineage column (`a,b` → [a, b]; '' → []). */
export const lineageCodes = (text: string): string[] => (text ? text.split(',').filter((c) => c !== '') : [])
