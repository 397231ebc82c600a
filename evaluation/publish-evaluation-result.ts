import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluationSubjects } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements, type Audience } from '#supervision/inbox/notification-statements.ts'
import { formatPoints, type Period } from './evaluation-rules.ts'
import { measureSubject } from './measures/measure-subject.ts'
import { startAssessmentExit } from './start-assessment-exit.ts'
import { loadVisibleSubject, subjectName } from './subject-access.ts'

export interface PublishOutcome {
  subjectId: string
  passed: boolean
  totalHundredths: number
  /** A failing partner: its assessment exit (考核退出), or why none was started (already under way, exited). */
  exit: { started: true; exitId: string; exitAt: number } | { started: false; code: string } | null
}

/**
 * The bureau publishes a scored result (Art. 18–20): final from now on (a trigger refuses any later change), with the
 * platform's measured figures of the period kept as they stand. The subject is told; a failing operator is flagged to
 * the bureau (Art. 20: 评估不合格的，应予以清退 — the bureau decides what follows); a failing partner's assessment exit
 * starts at once through the exit procedure (ADR 0033), with the evaluation code as its basis.
 */
export async function publishEvaluationResult(
  db: Db,
  opts: { actor: Actor; subjectId: string; now?: number; requestId?: string | null },
): Promise<Result<PublishOutcome>> {
  const denied = refuseUnlessPermitted(opts.actor, 'evaluation.publish')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const found = await loadVisibleSubject(db, opts.actor, opts.subjectId)
  if (!found) return fail('not_found', 'evaluation_not_found', 'No such evaluation subject')
  const { subject, evaluation } = found
  if (subject.state === 'published') return fail('conflict', 'result_published', 'The result is already published')
  if (subject.state !== 'scored' || subject.totalHundredths === null || subject.passed === null)
    return fail('conflict', 'not_scored', 'Score every criterion before publishing')
  const period: Period = { label: evaluation.period, start: evaluation.periodStart, end: evaluation.periodEnd }
  const measured = await measureSubject(db, subject, period)
  const name = await subjectName(db, subject)
  const params = {
    evaluation: evaluation.code,
    title: evaluation.title,
    subject: name,
    total: formatPoints(subject.totalHundredths),
    result: subject.passed ? 'pass' : 'fail',
  }
  const audience: Audience | null =
    subject.kind === 'source_unit'
      ? { kind: 'source_unit', sourceUnitId: subject.sourceUnitId! }
      : subject.kind === 'operator'
        ? { kind: 'operator' }
        : { kind: 'partner', partnerId: subject.partnerId! }
  const notices = [
    ...(await notificationStatements(db, { audiences: [audience], kind: 'evaluation_result_published', params, now })),
    ...(subject.kind === 'operator' && !subject.passed
      ? await notificationStatements(db, { audiences: [{ kind: 'bureau' }], kind: 'evaluation_operator_failed', params, now })
      : []),
  ]
  const update = db
    .update(evaluationSubjects)
    .set({ state: 'published', measured: JSON.stringify(measured), publishedAt: now, publishedByLabel: opts.actor.label })
    // No state condition: a result published meanwhile is refused by its trigger (a published result is final).
    .where(eq(evaluationSubjects.id, subject.id))
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'evaluation.publish',
        objectType: 'evaluation_subject',
        objectId: subject.id,
        requestId: opts.requestId,
        detail: {
          evaluation: evaluation.code,
          kind: subject.kind,
          subject: name,
          totalHundredths: subject.totalHundredths,
          passed: subject.passed,
        },
      },
      [update, ...notices],
    )
  } catch (error) {
    if (/evaluation_result_published/.test(errorText(error)))
      return fail('conflict', 'result_published', 'The result is already published')
    throw error
  }
  let exit: PublishOutcome['exit'] = null
  if (subject.kind === 'partner' && !subject.passed) {
    const started = await startAssessmentExit(db, { actor: opts.actor, subjectId: subject.id, now, requestId: opts.requestId })
    exit = started.ok
      ? { started: true, exitId: started.value.exitId, exitAt: started.value.exitAt }
      : { started: false, code: started.error.code }
  }
  return ok({ subjectId: subject.id, passed: subject.passed, totalHundredths: subject.totalHundredths, exit })
}
