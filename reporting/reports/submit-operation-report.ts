import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { operationReports, operationReportVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parseStoredNarrative } from './report-narrative.ts'

/**
 * The operator submits the draft version to the bureau: from now on its figures and narrative are frozen (triggers).
 * A report goes with at least its summary written.
 */
export async function submitOperationReport(
  db: Db,
  opts: { actor: Actor; period: string; now?: number; requestId?: string | null },
): Promise<Result<{ version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.submit')
  if (denied) return denied
  const [row] = await db
    .select({
      reportId: operationReports.id,
      versionId: operationReportVersions.id,
      version: operationReportVersions.version,
      state: operationReportVersions.state,
      narrative: operationReportVersions.narrative,
    })
    .from(operationReports)
    .innerJoin(operationReportVersions, eq(operationReportVersions.reportId, operationReports.id))
    .where(eq(operationReports.period, String(opts.period)))
    .orderBy(desc(operationReportVersions.version))
    .limit(1)
  if (!row) return fail('not_found', 'operation_report_not_found', 'No report for this period')
  if (row.state !== 'draft') return fail('conflict', 'not_draft', `Version ${row.version} is ${row.state}`)
  if (!parseStoredNarrative(row.narrative).summary)
    return fail('validation', 'summary_required', 'Write the summary before submitting', { summary: 'required' })
  const now = opts.now ?? Date.now()
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'operation_report.submit',
        objectType: 'operation_report',
        objectId: row.reportId,
        requestId: opts.requestId ?? null,
        detail: { period: opts.period, version: row.version },
      },
      [
        db
          .update(operationReportVersions)
          .set({ state: 'submitted', submittedAt: now, submittedByLabel: opts.actor.label })
          .where(eq(operationReportVersions.id, row.versionId)),
        db.update(operationReports).set({ state: 'submitted', updatedAt: now }).where(eq(operationReports.id, row.reportId)),
      ],
    )
  } catch (error) {
    if (errorText(error).includes('operation_report_version_move')) return fail('conflict', 'not_draft', 'Already submitted')
    throw error
  }
  return ok({ version: row.version })
}
