import { ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluations, evaluationSubjects, partners, sourceUnits, type EvaluationSubjectKind } from '#db/schema/index.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { parseDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements, type Audience } from '#supervision/inbox/notification-statements.ts'
import { parseEvaluationPeriod } from './evaluation-rules.ts'
import { isSubjectKind } from './schemes/create-evaluation-scheme.ts'
import { findScheme } from './schemes/find-scheme.ts'

export interface OpenEvaluationInput {
  title: string
  /** `2026` or `2026-Q3`. */
  period: string
  /** YYYY-MM-DD (Shanghai): self-assessments and evidence are taken until the end of that day. */
  deadlineOn: string
  /** Which kinds of subject it evaluates (default: all three). */
  kinds?: string[]
}

/**
 * The bureau opens an evaluation for a period (Art. 18): one subject per source unit, the operator, and one per partner
 * that has not exited — each under the current scheme version of its kind, fixed from now on. The subjects who assess
 * themselves (source units, the operator) are told in their inbox.
 */
export async function openEvaluation(
  db: Db,
  opts: { actor: Actor; input: OpenEvaluationInput; now?: number; requestId?: string | null },
): Promise<Result<{ id: string; code: string; subjects: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'evaluation.open')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const { input } = opts
  const fields: Record<string, string> = {}
  const title = typeof input.title === 'string' ? input.title.trim() : ''
  if (title.length < 2) fields.title = 'required'
  else if (title.length > 200) fields.title = 'too_long'
  const period = typeof input.period === 'string' ? parseEvaluationPeriod(input.period) : null
  if (!period) fields.period = 'invalid'
  const deadline = typeof input.deadlineOn === 'string' ? parseDay(input.deadlineOn.trim()) : null
  const deadlineAt = deadline === null ? null : startOfNextDay(deadline)
  if (deadlineAt === null) fields.deadlineOn = 'invalid'
  else if (deadlineAt <= now) fields.deadlineOn = 'past'
  const kinds = [...new Set(input.kinds ?? ['source_unit', 'operator', 'partner'])]
  if (kinds.length === 0) fields.kinds = 'required'
  else if (!kinds.every(isSubjectKind)) fields.kinds = 'invalid'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The evaluation is not valid', fields)

  const schemes = new Map<EvaluationSubjectKind, string>()
  for (const kind of kinds as EvaluationSubjectKind[]) {
    const scheme = await findScheme(db, { subjectKind: kind })
    if (!scheme) return fail('conflict', 'scheme_missing', `No scheme for ${kind} yet`, { kinds: 'scheme_missing' })
    schemes.set(kind, scheme.id)
  }
  const units = schemes.has('source_unit') ? await db.select({ id: sourceUnits.id }).from(sourceUnits) : []
  const partnerRows = schemes.has('partner')
    ? await db.select({ id: partners.id }).from(partners).where(ne(partners.state, 'exited'))
    : []
  const id = crypto.randomUUID()
  const subjects = [
    ...units.map((u) => ({ kind: 'source_unit' as const, sourceUnitId: u.id, partnerId: null })),
    ...(schemes.has('operator') ? [{ kind: 'operator' as const, sourceUnitId: null, partnerId: null }] : []),
    ...partnerRows.map((p) => ({ kind: 'partner' as const, sourceUnitId: null, partnerId: p.id })),
  ].map((s) => ({ ...s, evaluationId: id, schemeId: schemes.get(s.kind)!, createdAt: now }))
  const audiences: Audience[] = [
    ...units.map((u) => ({ kind: 'source_unit' as const, sourceUnitId: u.id })),
    ...(schemes.has('operator') ? [{ kind: 'operator' as const }] : []),
  ]
  return retryOnCodeRace(async () => {
    const code = await nextSequenceCode(db, evaluations.code, 'PG', now)
    const notices =
      audiences.length > 0
        ? await notificationStatements(db, {
            audiences,
            kind: 'evaluation_opened',
            params: { evaluation: code, title, deadlineOn: input.deadlineOn.trim() },
            now,
          })
        : []
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'evaluation.open',
        objectType: 'evaluation',
        objectId: id,
        requestId: opts.requestId,
        detail: { code, title, period: period!.label, deadlineOn: input.deadlineOn.trim(), kinds, subjects: subjects.length },
      },
      [
        db.insert(evaluations).values({
          id,
          code,
          title,
          period: period!.label,
          periodStart: period!.start,
          periodEnd: period!.end,
          deadlineOn: input.deadlineOn.trim(),
          deadlineAt: deadlineAt!,
          openedAt: now,
          openedByUserId: opts.actor.id,
          openedByLabel: opts.actor.label,
          createdAt: now,
        }),
        ...(subjects.length > 0 ? [db.insert(evaluationSubjects).values(subjects)] : []),
        ...notices,
      ],
    )
    return ok({ id, code, subjects: subjects.length })
  })
}
