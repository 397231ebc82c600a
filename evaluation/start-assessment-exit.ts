import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { ASSESSMENT_EXIT_NOTICE_DAYS, formatPoints } from './evaluation-rules.ts'
import { findScheme } from './schemes/find-scheme.ts'
import { loadVisibleSubject } from './subject-access.ts'

/**
 * A failing published partner result starts the partner's 考核退出 (Art. 12(4)) through the exit procedure (ADR 0033):
 * notice now, exit ASSESSMENT_EXIT_NOTICE_DAYS later, the evaluation's code as its basis. Run by the publication, and
 * again from the result page should that have been interrupted; a second start answers `exit_under_way`.
 */
export async function startAssessmentExit(
  db: Db,
  opts: { actor: Actor; subjectId: string; now?: number; requestId?: string | null },
): Promise<Result<{ exitId: string; exitAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'evaluation.publish')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const found = await loadVisibleSubject(db, opts.actor, opts.subjectId)
  if (!found || found.subject.kind !== 'partner') return fail('not_found', 'evaluation_not_found', 'No such partner result')
  const { subject, evaluation } = found
  if (subject.publishedAt === null || subject.passed !== false || subject.totalHundredths === null)
    return fail('conflict', 'not_a_failing_result', 'Only a published failing result starts an assessment exit')
  const [partner] = await db.select({ code: partners.code }).from(partners).where(eq(partners.id, subject.partnerId!))
  const scheme = await findScheme(db, { id: subject.schemeId })
  const started = await startPartnerExit(db, {
    actor: opts.actor,
    now,
    requestId: opts.requestId,
    input: {
      partnerCode: partner!.code,
      kind: 'assessment',
      reason: `考核不合格：${evaluation.title}（${evaluation.code}，${evaluation.period}）总分 ${formatPoints(subject.totalHundredths)}，合格线 ${scheme?.passMark ?? '—'}`,
      sourceRef: evaluation.code,
      exitAt: now + ASSESSMENT_EXIT_NOTICE_DAYS * DAY_MS,
    },
  })
  if (!started.ok) return started
  return ok({ exitId: started.value.id, exitAt: started.value.exitAt })
}
