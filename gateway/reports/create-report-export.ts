import { randomUUID } from 'node:crypto'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { reportExports } from '#db/schema/index.ts'
import { recordAudit } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { Caller } from '../products/product-operation.ts'
import type { LoadProductDatasets } from '../products/dataset-rules.ts'
import { districtOrNull } from './collect-district-economy.ts'
import { scheduleReportExport } from './report-jobs.ts'
import { apiKeyActor, toReportExportJob, type ReportExportJob } from './report-export-view.ts'
import { parseReportPeriod } from './report-period.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** Exports one partner may have queued or running at once. */
export const MAX_OPEN_EXPORTS_PER_PARTNER = 5

export interface CreateReportExportInput {
  caller: Caller
  productId: string
  district: string
  period: string
  format: 'pdf' | 'csv'
  requestId?: string
  now?: number
}

/**
 * Queues a district economic report export for the caller's partner and starts it in this process. The job row and
 * its audit entry are committed together; the job runs after the call is answered (poll it, then download).
 */
export async function createReportExport(
  db: Db,
  opts: CreateReportExportInput & { datasetRules: LoadProductDatasets },
): Promise<Result<ReportExportJob>> {
  // The calling key acts for its own partner only (the export is created under caller.partnerId).
  const denied = refuseUnlessPermitted(apiKeyActor(opts.caller), 'report_export.create')
  if (denied) return denied
  const fields: Record<string, string> = {}
  if (!districtOrNull(opts.district)) fields.district = 'not_a_shenyang_district'
  if (!parseReportPeriod(opts.period)) fields.period = 'invalid_period'
  if (Object.keys(fields).length > 0)
    return fail(
      'validation',
      'validation_failed',
      'district must be a Shenyang district code and period YYYY, YYYY-Qn or YYYY-MM',
      fields,
    )

  // Each export is CPU work on the gateway's thread: a partner may have only a few waiting or running at a time.
  const open = await db.$count(
    reportExports,
    and(eq(reportExports.partnerId, opts.caller.partnerId), inArray(reportExports.state, ['queued', 'running'])),
  )
  if (open >= MAX_OPEN_EXPORTS_PER_PARTNER) {
    return fail(
      'rate_limited',
      'exports_in_progress',
      `${open} exports of this partner are still queued or running; create more when they finish`,
    )
  }

  const row = {
    id: randomUUID(),
    partnerId: opts.caller.partnerId,
    apiKeyId: opts.caller.apiKeyId,
    subscriptionId: opts.caller.subscriptionId,
    productId: opts.productId,
    params: JSON.stringify({ district: opts.district, period: opts.period }),
    format: opts.format,
    state: 'queued' as const,
    progress: 0,
    createdAt: opts.now ?? Date.now(),
  }
  await recordAudit(
    db,
    {
      actor: apiKeyActor(opts.caller),
      action: 'report_export.create',
      objectType: 'report_export',
      objectId: row.id,
      requestId: opts.requestId,
      detail: { partnerId: row.partnerId, district: opts.district, period: opts.period, format: opts.format },
    },
    [db.insert(reportExports).values(row)],
  )
  scheduleReportExport(db, row.id, { datasetRules: opts.datasetRules })
  return ok(toReportExportJob({ ...row, bytes: null, error: null, completedAt: null, downloads: 0 }))
}
