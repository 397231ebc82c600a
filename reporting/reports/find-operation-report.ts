import { asc, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { operationReports, operationReportVersions, type OperationReportVersionState } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { ReportFigures } from '../figures/figure-types.ts'
import { parseStoredNarrative, type Narrative } from './report-narrative.ts'

export interface OperationReportVersion {
  id: string
  version: number
  state: OperationReportVersionState
  figures: ReportFigures
  generatedAt: number
  narrative: Narrative
  submittedAt: number | null
  submittedByLabel: string | null
  decidedAt: number | null
  decidedByLabel: string | null
  bureauComment: string | null
}

export interface OperationReportSummary {
  id: string
  period: string
  kind: 'quarterly' | 'annual'
  periodStart: number
  periodEnd: number
  latestVersion: number
  state: OperationReportVersionState
  updatedAt: number
}

export interface OperationReport extends OperationReportSummary {
  /** Every version, oldest first. */
  versions: Omit<OperationReportVersion, 'figures'>[]
  /** The version asked for (the latest by default), with its figures. */
  shown: OperationReportVersion
}

const summaryColumns = {
  id: operationReports.id,
  period: operationReports.period,
  kind: operationReports.kind,
  periodStart: operationReports.periodStart,
  periodEnd: operationReports.periodEnd,
  latestVersion: operationReports.latestVersion,
  state: operationReports.state,
  updatedAt: operationReports.updatedAt,
}

/**
 * The reports, newest period first. The bureau sees a report once it has been submitted at least once (a first draft
 * is the operator's own work in progress).
 */
export async function listOperationReports(db: Db, opts: { actor: Actor }): Promise<Result<OperationReportSummary[]>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.view')
  if (denied) return denied
  const rows = await db
    .select(summaryColumns)
    .from(operationReports)
    .orderBy(desc(operationReports.periodStart), desc(operationReports.period))
  return ok(opts.actor.role === 'bureau' ? rows.filter((r) => !(r.state === 'draft' && r.latestVersion === 1)) : rows)
}

/** One report with its versions; `version` picks which one's figures and narrative to show (the latest by default). */
export async function getOperationReport(
  db: Db,
  opts: { actor: Actor; period: string; version?: number | null },
): Promise<Result<OperationReport>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.view')
  if (denied) return denied
  const [report] = await db.select(summaryColumns).from(operationReports).where(eq(operationReports.period, opts.period)).limit(1)
  if (!report) return fail('not_found', 'operation_report_not_found', 'No report for this period')
  const rows = await db
    .select()
    .from(operationReportVersions)
    .where(eq(operationReportVersions.reportId, report.id))
    .orderBy(asc(operationReportVersions.version))
  // The bureau never sees a draft: not a first one, nor the revision under way (it reads the last one it was sent).
  const visible = opts.actor.role === 'bureau' ? rows.filter((r) => r.state !== 'draft') : rows
  if (visible.length === 0) return fail('not_found', 'operation_report_not_found', 'No report for this period')
  const chosen = opts.version == null ? visible.at(-1) : visible.find((r) => r.version === opts.version)
  if (!chosen) return fail('not_found', 'operation_report_version_not_found', 'No such version')
  const toVersion = (r: (typeof rows)[number]) => ({
    id: r.id,
    version: r.version,
    state: r.state,
    generatedAt: r.generatedAt,
    narrative: parseStoredNarrative(r.narrative),
    submittedAt: r.submittedAt,
    submittedByLabel: r.submittedByLabel,
    decidedAt: r.decidedAt,
    decidedByLabel: r.decidedByLabel,
    bureauComment: r.bureauComment,
  })
  return ok({
    ...report,
    versions: visible.map(toVersion),
    shown: { ...toVersion(chosen), figures: JSON.parse(chosen.figures) as ReportFigures },
  })
}
