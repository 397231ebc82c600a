import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { EVALUATION_SUBJECT_KINDS, evaluationCriteria, evaluationSchemes, type EvaluationSubjectKind } from '#db/schema/index.ts'
import { isUniqueViolation } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { schemeProblems, type CriterionInput } from '../evaluation-rules.ts'
import { measureKeysOf } from '../measures/measure-subject.ts'

export const isSubjectKind = (value: unknown): value is EvaluationSubjectKind =>
  typeof value === 'string' && (EVALUATION_SUBJECT_KINDS as readonly string[]).includes(value)

/**
 * The bureau writes a new version of the scheme for one kind of subject: criteria with weights (whole percent, summing
 * to exactly 100) and a pass mark. Nothing is edited in place: the previous version stays, with the evaluations opened
 * under it; evaluations opened from now on take this one.
 */
export async function createEvaluationScheme(
  db: Db,
  opts: {
    actor: Actor
    input: { subjectKind: string; passMark: unknown; note?: string; criteria: CriterionInput[] }
    now?: number
    requestId?: string | null
  },
): Promise<Result<{ id: string; subjectKind: EvaluationSubjectKind; version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'evaluation_scheme.create')
  if (denied) return denied
  const { input } = opts
  if (!isSubjectKind(input.subjectKind))
    return fail('validation', 'validation_failed', 'Unknown kind of subject', { subjectKind: 'invalid' })
  const kind = input.subjectKind
  const fields = schemeProblems({ passMark: input.passMark, criteria: input.criteria }, measureKeysOf(kind))
  const note = typeof input.note === 'string' ? input.note.trim() : ''
  if (note.length > 1000) fields.note = 'too_long'
  if (Object.keys(fields).length > 0) {
    const code =
      fields.weights === 'weights_not_100' && Object.keys(fields).length === 1 ? 'weights_not_100' : 'validation_failed'
    return fail('validation', code, 'The scheme is not valid', fields)
  }
  for (let attempt = 0; ; attempt++) {
    const [last] = await db
      .select({ version: evaluationSchemes.version })
      .from(evaluationSchemes)
      .where(eq(evaluationSchemes.subjectKind, kind))
      .orderBy(desc(evaluationSchemes.version))
      .limit(1)
    const version = (last?.version ?? 0) + 1
    const id = crypto.randomUUID()
    try {
      await recordAudit(
        db,
        {
          actor: opts.actor,
          action: 'evaluation_scheme.create',
          objectType: 'evaluation_scheme',
          objectId: id,
          requestId: opts.requestId,
          detail: { subjectKind: kind, version, passMark: input.passMark, criteria: input.criteria },
        },
        [
          db.insert(evaluationSchemes).values({
            id,
            subjectKind: kind,
            version,
            passMark: input.passMark as number,
            note,
            createdByUserId: opts.actor.id,
            createdByLabel: opts.actor.label,
            createdAt: opts.now ?? Date.now(),
          }),
          db.insert(evaluationCriteria).values(
            input.criteria.map((c, i) => ({
              schemeId: id,
              key: c.key,
              ordinal: i + 1,
              nameZh: c.nameZh.trim(),
              nameEn: c.nameEn.trim(),
              weight: c.weight,
              measures: (c.measures ?? []).join(','),
            })),
          ),
        ],
      )
      return ok({ id, subjectKind: kind, version })
    } catch (error) {
      // Two bureau users saving a version at once: the second takes the next number.
      if (attempt < 5 && isUniqueViolation(error)) continue
      throw error
    }
  }
}
