import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { reportExports } from '#db/schema/index.ts'
import { recordAudit, systemActor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { LoadProductDatasets } from '../products/dataset-rules.ts'
import { collectDistrictEconomy, districtOrNull, REPORT_SECTION_COUNT } from './collect-district-economy.ts'
import { renderReportCsv } from './render-report-csv.ts'
import { renderReportPdf } from './render-report-pdf.ts'
import type { ReportExportParams } from './report-export-view.ts'
import { parseReportPeriod } from './report-period.ts'

const jobActor = systemActor('report-job')

/** Progress: 5 once started, up to 80 as the sections are collected, 100 once the file is stored. */
const progressAfter = (sections: number) => 5 + Math.round((sections / REPORT_SECTION_COUNT) * 75)

/**
 * Runs one queued export: collects the report's figures section by section (recording progress), renders the file
 * and stores it on the job. Every state change is audited. A failure is recorded on the job (state `failed`) and
 * returned; it is not thrown.
 */
export async function runReportExport(
  db: Db,
  id: string,
  deps: { datasetRules: LoadProductDatasets; now?: () => number },
): Promise<Result<{ bytes: number }>> {
  const now = deps.now ?? Date.now
  const [job] = await db.select().from(reportExports).where(eq(reportExports.id, id)).limit(1)
  if (!job) return fail('not_found', 'not_found', 'No such export')
  if (job.state !== 'queued') return fail('conflict', 'not_queued', `The export is ${job.state}`)

  const audit = (action: string, set: Partial<typeof reportExports.$inferInsert>, detail?: Record<string, unknown>) =>
    recordAudit(db, { actor: jobActor, action, objectType: 'report_export', objectId: id, detail: detail ?? null }, [
      db.update(reportExports).set(set).where(eq(reportExports.id, id)),
    ])

  try {
    await audit('report_export.start', { state: 'running', progress: progressAfter(0) })
    const params = JSON.parse(job.params) as ReportExportParams
    const district = districtOrNull(params.district)
    const period = parseReportPeriod(params.period)
    if (!district || !period) throw new Error(`invalid parameters ${job.params}`)
    const report = await collectDistrictEconomy(db, {
      district,
      period,
      // The rules as they are when the job runs (also after a restart), not when it was created.
      datasets: await deps.datasetRules(job.productId),
      now: now(),
      onSection: async (done) => {
        await audit('report_export.progress', { progress: progressAfter(done) }, { sections: done })
      },
    })
    const content = job.format === 'pdf' ? await renderReportPdf(report) : renderReportCsv(report)
    await audit(
      'report_export.complete',
      { state: 'succeeded', progress: 100, content, bytes: content.length, completedAt: now() },
      { bytes: content.length, format: job.format },
    )
    return ok({ bytes: content.length })
  } catch (error) {
    const message = errorText(error).slice(0, 500)
    await audit(
      'report_export.fail',
      { state: 'failed', error: 'The report could not be built', completedAt: now() },
      { error: message },
    )
    return fail('unavailable', 'report_failed', message)
  }
}
