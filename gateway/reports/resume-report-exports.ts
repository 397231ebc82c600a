import { inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { reportExports } from '#db/schema/index.ts'
import { recordAudit, systemActor } from '#platform/audit/record-audit.ts'
import type { LoadProductDatasets } from '../products/dataset-rules.ts'
import { isReportExportRunning, scheduleReportExport } from './report-jobs.ts'

/**
 * Starts again, in this process, every export left queued or running by a process that stopped (a restart, a
 * crash): each goes back to `queued` (audited) and is scheduled. Call once when the gateway starts. Returns the ids.
 */
export async function resumeReportExports(db: Db, deps: { datasetRules: LoadProductDatasets }): Promise<string[]> {
  const stuck = await db
    .select({ id: reportExports.id, state: reportExports.state })
    .from(reportExports)
    .where(inArray(reportExports.state, ['queued', 'running']))
  const resumed: string[] = []
  for (const job of stuck) {
    if (isReportExportRunning(job.id)) continue
    if (job.state === 'running') {
      await recordAudit(
        db,
        { actor: systemActor('report-job'), action: 'report_export.requeue', objectType: 'report_export', objectId: job.id },
        [
          db
            .update(reportExports)
            .set({ state: 'queued', progress: 0 })
            .where(inArray(reportExports.id, [job.id])),
        ],
      )
    }
    scheduleReportExport(db, job.id, deps)
    resumed.push(job.id)
  }
  return resumed
}
