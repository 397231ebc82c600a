import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { operationReports, operationReportVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { BUREAU_COMMENT_MAX_LENGTH } from './report-narrative.ts'

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/

/**
 * The bureau acknowledges the submitted version, or returns it with comments saying what to revise; the operator's
 * revision is the next version (generateOperationReport). A version is decided once: a racing second decision fails
 * in the database (trigger) together with its audit entry.
 */
export async function decideOperationReport(
  db: Db,
  opts: {
    actor: Actor
    period: string
    version: number
    decision: 'acknowledge' | 'return'
    comment?: string | null
    now?: number
    requestId?: string | null
  },
): Promise<Result<{ version: number; state: 'acknowledged' | 'returned' }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.decide')
  if (denied) return denied
  if (opts.decision !== 'acknowledge' && opts.decision !== 'return')
    return fail('validation', 'validation_failed', 'Unknown decision', { decision: 'invalid' })
  const comment = typeof opts.comment === 'string' ? opts.comment.replace(/\r\n?/g, '\n').trim() || null : null
  if (opts.decision === 'return' && !comment)
    return fail('validation', 'validation_failed', 'A returned report needs comments', { comment: 'required' })
  if (comment && comment.length > BUREAU_COMMENT_MAX_LENGTH)
    return fail('validation', 'validation_failed', 'The comment is too long', { comment: 'too_long' })
  if (comment && CONTROL.test(comment))
    return fail('validation', 'validation_failed', 'Unreadable comment', { comment: 'invalid' })
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
  if (!row || (row.state === 'draft' && row.version === 1))
    return fail('not_found', 'operation_report_not_found', 'No report for this period')
  // Only the newest version is decided, and only the one the bureau is looking at (not one revised since).
  if (row.version !== opts.version || row.state !== 'submitted')
    return fail('conflict', 'not_submitted', `Version ${opts.version} is not awaiting a decision`)
  const state = opts.decision === 'acknowledge' ? 'acknowledged' : 'returned'
  const now = opts.now ?? Date.now()
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: `operation_report.${opts.decision}`,
        objectType: 'operation_report',
        objectId: row.reportId,
        requestId: opts.requestId ?? null,
        detail: { period: opts.period, version: row.version, comment },
      },
      [
        db
          .update(operationReportVersions)
          .set({ state, decidedAt: now, decidedByLabel: opts.actor.label, bureauComment: comment })
          .where(eq(operationReportVersions.id, row.versionId)),
        db.update(operationReports).set({ state, updatedAt: now }).where(eq(operationReports.id, row.reportId)),
      ],
    )
  } catch (error) {
    if (errorText(error).includes('operation_report_version_move'))
      return fail('conflict', 'not_submitted', 'The version was decided at the same moment')
    throw error
  }
  return ok({ version: row.version, state })
}
