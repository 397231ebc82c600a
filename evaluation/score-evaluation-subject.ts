import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluationSubjects } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { hasFieldControlCharacter } from '#platform/text/control-characters.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { COMMENT_MAX_CHARS, isPassing, isScore, SELF_ASSESSING_KINDS, weightedTotalHundredths } from './evaluation-rules.ts'
import { findScheme } from './schemes/find-scheme.ts'
import { loadVisibleSubject } from './subject-access.ts'

export interface ScoreInput {
  /** Per criterion key: a score of 0–100 and an optional comment. */
  scores: Record<string, { score: unknown; comment?: unknown }>
  comment?: unknown
}

/**
 * The bureau scores every criterion of a subject (0–100 each) with its comments; the weighted total and whether it
 * passes follow from the scheme (ADR 0034). A self-assessing subject is scored once it has submitted, or once the
 * deadline has passed without it; a partner at any time. It may be scored again until it is published.
 */
export async function scoreEvaluationSubject(
  db: Db,
  opts: { actor: Actor; subjectId: string; input: ScoreInput; now?: number; requestId?: string | null },
): Promise<Result<{ subjectId: string; totalHundredths: number; passed: boolean }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'evaluation.score')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const found = await loadVisibleSubject(db, opts.actor, opts.subjectId)
  if (!found) return fail('not_found', 'evaluation_not_found', 'No such evaluation subject')
  const { subject, evaluation } = found
  if (subject.state === 'published') return fail('conflict', 'result_published', 'The result is published and final')
  if (subject.state === 'open' && SELF_ASSESSING_KINDS.includes(subject.kind) && now < evaluation.deadlineAt)
    return fail('conflict', 'self_assessment_pending', `The self-assessment is due by ${evaluation.deadlineOn}`)
  const scheme = (await findScheme(db, { id: subject.schemeId }))!
  const fields: Record<string, string> = {}
  const given = opts.input.scores && typeof opts.input.scores === 'object' ? opts.input.scores : {}
  const scores: Record<string, { score: number; comment: string }> = {}
  for (const key of Object.keys(given))
    if (!scheme.criteria.some((c) => c.key === key)) fields[`score.${key}`] = 'unknown_criterion'
  for (const c of scheme.criteria) {
    const entry = given[c.key]
    const score = typeof entry?.score === 'string' && /^\d{1,3}$/.test(entry.score) ? Number(entry.score) : entry?.score
    if (!isScore(score)) fields[`score.${c.key}`] = entry?.score === undefined || entry.score === '' ? 'required' : 'invalid'
    const comment = typeof entry?.comment === 'string' ? entry.comment.trim() : ''
    if (comment.length > COMMENT_MAX_CHARS) fields[`comment.${c.key}`] = 'too_long'
    else if (hasFieldControlCharacter(comment)) fields[`comment.${c.key}`] = 'invalid'
    if (isScore(score)) scores[c.key] = { score, comment }
  }
  const overall = typeof opts.input.comment === 'string' ? opts.input.comment.trim() : ''
  if (overall.length > COMMENT_MAX_CHARS) fields.comment = 'too_long'
  else if (hasFieldControlCharacter(overall)) fields.comment = 'invalid'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The scores are not valid', fields)
  const total = weightedTotalHundredths(
    scheme.criteria,
    Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, v.score])),
  )!
  const passed = isPassing(total, scheme.passMark)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'evaluation.score',
      objectType: 'evaluation_subject',
      objectId: subject.id,
      requestId: opts.requestId,
      detail: { evaluation: evaluation.code, kind: subject.kind, totalHundredths: total, passed, passMark: scheme.passMark },
    },
    [
      db
        .update(evaluationSubjects)
        .set({
          scores: JSON.stringify(scores),
          totalHundredths: total,
          passed,
          bureauComment: overall || null,
          scoredAt: now,
          scoredByLabel: opts.actor.label,
          state: 'scored',
        })
        .where(and(eq(evaluationSubjects.id, subject.id), inArray(evaluationSubjects.state, ['open', 'submitted', 'scored']))),
    ],
  )
  return ok({ subjectId: subject.id, totalHundredths: total, passed })
}
