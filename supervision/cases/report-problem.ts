import type { Db } from '#db/client.ts'
import { rectificationCases } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { caseEventStatement } from './case-parties.ts'
import { checkText, TEXT_LIMITS } from './case-rules.ts'

/**
 * Art. 26: a source unit reports that the authorized operation is irregular or harms public data security, and asks
 * for rectification; a regulator (监管部门) does the same through the bureau, which records the report with the
 * regulator's name. The case starts `reported`; the bureau opens it (open-case.ts) or dismisses it.
 */
export async function reportProblem(
  db: Db,
  opts: { actor: Actor; report: string; regulatorName?: string | null; requestId?: string | null; now?: number },
): Promise<Result<{ code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'case.report')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const report = checkText(opts.report, 'report', TEXT_LIMITS.report, true)
  const isRegulator = opts.actor.role === 'bureau'
  const regulator = checkText(opts.regulatorName, 'regulatorName', TEXT_LIMITS.regulator, isRegulator)
  const problems = [report.error, regulator.error].filter((e) => e !== undefined)
  if (problems.length > 0)
    return fail(
      'validation',
      'case_report_invalid',
      'The report is incomplete',
      Object.fromEntries(problems.map((p) => [p.field, p.code])),
    )
  const sourceUnitId = isRegulator ? null : (opts.actor.sourceUnitId ?? null)
  const code = await retryOnCodeRace(async () => {
    const code = await nextSequenceCode(db, rectificationCases.code, 'ZG', now)
    const id = crypto.randomUUID()
    const row = {
      id,
      code,
      state: 'reported' as const,
      reporterKind: isRegulator ? ('regulator' as const) : ('source_unit' as const),
      reporterSourceUnitId: sourceUnitId,
      regulatorName: isRegulator ? regulator.text : null,
      reportedByUserId: opts.actor.id,
      report: report.text!,
      createdAt: now,
    }
    const notices = await notificationStatements(db, {
      audiences: [{ kind: 'bureau' }],
      kind: 'case_reported',
      caseId: id,
      params: { case: code },
      now,
    })
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'case.report',
        objectType: 'rectification_case',
        objectId: id,
        requestId: opts.requestId,
        detail: { code, reporter: row.reporterKind, regulator: row.regulatorName },
      },
      [
        db.insert(rectificationCases).values(row),
        caseEventStatement(db, {
          caseId: id,
          kind: 'reported',
          actor: opts.actor,
          at: now,
          note: report.text,
          detail: row.regulatorName ? { regulator: row.regulatorName } : undefined,
        }),
        ...notices,
      ],
    )
    return code
  })
  return ok({ code })
}
