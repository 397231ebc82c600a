import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { operationReports, operationReportVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { readNarrative } from './report-narrative.ts'

/** The operator writes the narrative of the report's draft version (a summary and one text per section). */
export async function saveReportNarrative(
  db: Db,
  opts: { actor: Actor; period: string; narrative: Record<string, unknown>; now?: number; requestId?: string | null },
): Promise<Result<{ version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.edit')
  if (denied) return denied
  const read = readNarrative(opts.narrative)
  if (!read.ok) return fail('validation', 'validation_failed', 'The narrative is not acceptable', read.fields)
  const [row] = await db
    .select({
      reportId: operationReports.id,
      versionId: operationReportVersions.id,
      version: operationReportVersions.version,
      state: operationReportVersions.state,
    })
    .from(operationReports)
    .innerJoin(operationReportVersions, eq(operationReportVersions.reportId, operationReports.id))
    .where(eq(operationReports.period, String(opts.period)))
    .orderBy(desc(operationReportVersions.version))
    .limit(1)
  if (!row) return fail('not_found', 'operation_report_not_found', 'No report for this period')
  if (row.state !== 'draft') return fail('conflict', 'not_draft', `Version ${row.version} is ${row.state}`)
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'operation_report.edit',
      objectType: 'operation_report',
      objectId: row.reportId,
      requestId: opts.requestId ?? null,
      detail: { period: opts.period, version: row.version, sections: Object.keys(read.narrative) },
    },
    [
      db
        .update(operationReportVersions)
        .set({ narrative: JSON.stringify(read.narrative) })
        .where(and(eq(operationReportVersions.id, row.versionId), eq(operationReportVersions.state, 'draft'))),
      db.update(operationReports).set({ updatedAt: now }).where(eq(operationReports.id, row.reportId)),
    ],
  )
  return ok({ version: row.version })
}
