import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { reportExports } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { ReportExportParams } from './report-export-view.ts'

export interface ReportFile {
  content: Buffer
  contentType: string
  filename: string
}

const CONTENT_TYPE = { pdf: 'application/pdf', csv: 'text/csv; charset=utf-8' } as const

/**
 * The file of one of the partner's succeeded exports. Counts the download (audited). Another partner's export, or
 * one that has not succeeded, is `not_found`.
 */
export async function downloadReportExport(
  db: Db,
  opts: { id: string; partnerId: string; actor: Actor; requestId?: string },
): Promise<Result<ReportFile>> {
  const [row] = await db
    .select({
      state: reportExports.state,
      content: reportExports.content,
      format: reportExports.format,
      params: reportExports.params,
    })
    .from(reportExports)
    .where(and(eq(reportExports.id, opts.id), eq(reportExports.partnerId, opts.partnerId)))
    .limit(1)
  if (!row) return fail('not_found', 'not_found', 'No such export')
  if (row.state !== 'succeeded' || !row.content) {
    return fail('not_found', 'not_found', `The export is ${row.state}, not ready for download; poll it until it succeeded`)
  }
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'report_export.download',
      objectType: 'report_export',
      objectId: opts.id,
      requestId: opts.requestId,
      detail: { bytes: row.content.length },
    },
    [
      db
        .update(reportExports)
        .set({ downloads: sql`${reportExports.downloads} + 1` })
        .where(eq(reportExports.id, opts.id)),
    ],
  )
  const params = JSON.parse(row.params) as ReportExportParams
  return ok({
    content: row.content,
    contentType: CONTENT_TYPE[row.format],
    filename: `district-economy-${params.district}-${params.period}.${row.format}`,
  })
}
