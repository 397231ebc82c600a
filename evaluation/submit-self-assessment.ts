import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluationSubjects } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { hasFieldControlCharacter } from '#platform/text/control-characters.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { SELF_ASSESSMENT_MAX_CHARS } from './evaluation-rules.ts'
import { findScheme } from './schemes/find-scheme.ts'
import { isSubjectItself, loadVisibleSubject } from './subject-access.ts'

/**
 * A source unit or the operator submits its self-assessment (Art. 18): a text per criterion of its scheme. It may submit
 * again, replacing the texts, until the deadline (`deadline_passed` after it) and while the bureau has not scored it.
 */
export async function submitSelfAssessment(
  db: Db,
  opts: { actor: Actor; subjectId: string; texts: Record<string, unknown>; now?: number; requestId?: string | null },
): Promise<Result<{ subjectId: string; submittedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'evaluation.self_assess')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const found = await loadVisibleSubject(db, opts.actor, opts.subjectId)
  if (!found || !isSubjectItself(opts.actor, found.subject))
    return fail('not_found', 'evaluation_not_found', 'No such evaluation')
  const { subject, evaluation } = found
  if (now >= evaluation.deadlineAt)
    return fail('conflict', 'deadline_passed', `The deadline of ${evaluation.code} (${evaluation.deadlineOn}) has passed`)
  if (subject.state !== 'open' && subject.state !== 'submitted')
    return fail('conflict', 'evaluation_already_scored', 'The bureau has scored this self-assessment')
  const scheme = await findScheme(db, { id: subject.schemeId })
  const fields: Record<string, string> = {}
  const texts: Record<string, string> = {}
  const given = opts.texts && typeof opts.texts === 'object' ? opts.texts : {}
  for (const key of Object.keys(given)) if (!scheme?.criteria.some((c) => c.key === key)) fields[key] = 'unknown_criterion'
  for (const c of scheme?.criteria ?? []) {
    const raw = given[c.key]
    const text = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : ''
    if (!text) fields[c.key] = 'required'
    else if (text.length > SELF_ASSESSMENT_MAX_CHARS) fields[c.key] = 'too_long'
    else if (hasFieldControlCharacter(text)) fields[c.key] = 'invalid'
    else texts[c.key] = text
  }
  if (Object.keys(fields).length > 0)
    return fail('validation', 'validation_failed', 'The self-assessment is not complete', fields)
  const update = db
    .update(evaluationSubjects)
    .set({ selfAssessment: JSON.stringify(texts), submittedAt: now, submittedByLabel: opts.actor.label, state: 'submitted' })
    .where(and(eq(evaluationSubjects.id, subject.id), inArray(evaluationSubjects.state, ['open', 'submitted'])))
    .returning({ id: evaluationSubjects.id })
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'evaluation.self_assess',
      objectType: 'evaluation_subject',
      objectId: subject.id,
      requestId: opts.requestId,
      detail: { evaluation: evaluation.code, kind: subject.kind, chars: Object.values(texts).reduce((n, t) => n + t.length, 0) },
    },
    [update],
  )
  return ok({ subjectId: subject.id, submittedAt: now })
}
