import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { reportExports } from '#db/schema/index.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { toReportExportJob, type ReportExportJob } from './report-export-view.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** One export of the partner's (another partner's export is `not_found`, like a missing one). */
export async function getReportExport(db: Db, opts: { id: string; partnerId: string }): Promise<Result<ReportExportJob>> {
  if (!UUID.test(opts.id)) return fail('not_found', 'not_found', 'No such export')
  const [row] = await db
    .select({
      id: reportExports.id,
      partnerId: reportExports.partnerId,
      apiKeyId: reportExports.apiKeyId,
      subscriptionId: reportExports.subscriptionId,
      productId: reportExports.productId,
      params: reportExports.params,
      format: reportExports.format,
      state: reportExports.state,
      progress: reportExports.progress,
      bytes: reportExports.bytes,
      error: reportExports.error,
      createdAt: reportExports.createdAt,
      completedAt: reportExports.completedAt,
      downloads: reportExports.downloads,
    })
    .from(reportExports)
    .where(and(eq(reportExports.id, opts.id), eq(reportExports.partnerId, opts.partnerId)))
    .limit(1)
  return row ? ok(toReportExportJob(row)) : fail('not_found', 'not_found', 'No such export')
}
