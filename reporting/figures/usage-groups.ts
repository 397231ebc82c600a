import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { usageEvents } from '#db/schema/index.ts'
import { sqlMonth } from '#platform/calendar/calendar-sql.ts'
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

export async function findUsageGroups(db: Db, p: ReportPeriod): Promise<UsageGroup[]> {
  return db.all<UsageGroup>(sql`
    SELECT subscription_id AS subscriptionId, partner_id AS partnerId, product_id AS productId, purpose,
      source_unit_codes AS sourceUnitCodes, dataset_codes AS datasetCodes, ${sqlMonth(usageEvents.at)} AS month,
      sum(calls) AS calls, sum(records) AS records, sum(fields_masked) AS fieldsMasked, sum(bytes_out) AS bytesOut,
      sum(compute_ms) AS computeMs, sum(export_bytes) AS exportBytes
    FROM usage_events
    WHERE at >= ${p.start} AND at < ${p.end} AND status < 400
    GROUP BY subscription_id, partner_id, product_id, purpose, source_unit_codes, dataset_codes, month`)
}

/** The codes of a lineage column (`a,b` → [a, b]; '' → []). */
export const lineageCodes = (text: string): string[] => (text ? text.split(',').filter((c) => c !== '') : [])
