import { randomUUID } from 'node:crypto'
import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { operationReports, operationReportVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { computeReportFigures } from '../figures/compute-report-figures.ts'
import { parseReportPeriod } from '../periods/report-period.ts'

export interface GeneratedReport {
  reportId: string
  period: string
  version: number
  /** created: a new report; regenerated: the draft's figures computed again; revised: a new version after a return. */
  outcome: 'created' | 'regenerated' | 'revised'
}

/**
 * The operator generates the report of a quarter or a year from the platform's records (Art. 25): the first time a
 * new report and its version 1; again while the version is a draft, its figures computed afresh; after the bureau
 * returned it, the next version (the narrative carried over to revise). A submitted or acknowledged version stands.
 */
export async function generateOperationReport(
  db: Db,
  opts: { actor: Actor; period: string; now?: number; requestId?: string | null },
): Promise<Result<GeneratedReport>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.generate')
  if (denied) return denied
  const period = parseReportPeriod(String(opts.period ?? ''))
  if (!period)
    return fail('validation', 'invalid_period', 'The period must be a quarter (2026-Q3) or a year (2026)', {
      period: 'invalid_period',
    })
  const now = opts.now ?? Date.now()
  if (period.start > now)
    return fail('validation', 'period_not_started', 'The period has not begun', { period: 'period_not_started' })

  const [report] = await db.select().from(operationReports).where(eq(operationReports.period, period.period)).limit(1)
  const [latest] = report
    ? await db
        .select()
        .from(operationReportVersions)
        .where(eq(operationReportVersions.reportId, report.id))
        .orderBy(desc(operationReportVersions.version))
        .limit(1)
    : []
  if (latest && (latest.state === 'submitted' || latest.state === 'acknowledged'))
    return fail('conflict', `report_${latest.state}`, `Version ${latest.version} is ${latest.state}`)

  const figures = JSON.stringify(await computeReportFigures(db, { period, now }))
  const audit = (outcome: GeneratedReport['outcome'], reportId: string, version: number) => ({
    actor: opts.actor,
    action: 'operation_report.generate',
    objectType: 'operation_report',
    objectId: reportId,
    requestId: opts.requestId ?? null,
    detail: { period: period.period, version, outcome },
  })
  try {
    if (!report || !latest) {
      const reportId = randomUUID()
      await recordAudit(db, audit('created', reportId, 1), [
        db.insert(operationReports).values({
          id: reportId,
          period: period.period,
          kind: period.kind,
          periodStart: period.start,
          periodEnd: period.end,
          latestVersion: 1,
          state: 'draft',
          createdByUserId: opts.actor.id,
          createdAt: now,
          updatedAt: now,
        }),
        db.insert(operationReportVersions).values({ reportId, version: 1, figures, generatedAt: now, createdAt: now }),
      ])
      return ok({ reportId, period: period.period, version: 1, outcome: 'created' })
    }
    if (latest.state === 'draft') {
      await recordAudit(db, audit('regenerated', report.id, latest.version), [
        db.update(operationReportVersions).set({ figures, generatedAt: now }).where(eq(operationReportVersions.id, latest.id)),
        db.update(operationReports).set({ updatedAt: now }).where(eq(operationReports.id, report.id)),
      ])
      return ok({ reportId: report.id, period: period.period, version: latest.version, outcome: 'regenerated' })
    }
    const version = latest.version + 1
    await recordAudit(db, audit('revised', report.id, version), [
      db.insert(operationReportVersions).values({
        reportId: report.id,
        version,
        figures,
        narrative: latest.narrative,
        generatedAt: now,
        createdAt: now,
      }),
      db
        .update(operationReports)
        .set({ latestVersion: version, state: 'draft', updatedAt: now })
        .where(eq(operationReports.id, report.id)),
    ])
    return ok({ reportId: report.id, period: period.period, version, outcome: 'revised' })
  } catch (error) {
    // Two generations of one period at once: the unique period (or version) lets one through.
    if (/UNIQUE constraint failed: operation_report/.test(errorText(error)))
      return fail('conflict', 'report_busy', 'The report was generated at the same moment by someone else')
    throw error
  }
}
