import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluations, evaluationSubjects, partners, sourceUnits } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

export type SubjectRow = typeof evaluationSubjects.$inferSelect
export type EvaluationRow = typeof evaluations.$inferSelect

/**
 * Whether `actor` may see this subject at all: the bureau every one; a source unit its own; the operator the operator's;
 * a partner's administrator its own partner's, once published (its assessment is the bureau's until then). Anyone else,
 * or another's subject: no (the caller answers not_found).
 */
export function canSeeSubject(
  actor: Actor,
  subject: Pick<SubjectRow, 'kind' | 'sourceUnitId' | 'partnerId' | 'publishedAt'>,
): boolean {
  switch (actor.role) {
    case 'bureau':
    case 'cli':
      return true
    case 'source_unit':
      return subject.kind === 'source_unit' && !!actor.sourceUnitId && subject.sourceUnitId === actor.sourceUnitId
    case 'operator':
      return subject.kind === 'operator'
    case 'partner_admin':
      return (
        subject.kind === 'partner' && !!actor.partnerId && subject.partnerId === actor.partnerId && subject.publishedAt !== null
      )
    default:
      return false
  }
}

/** Whether `actor` is the subject itself (its self-assessment and evidence are its own and the bureau's only). */
export function isSubjectItself(actor: Actor, subject: Pick<SubjectRow, 'kind' | 'sourceUnitId'>): boolean {
  if (actor.role === 'source_unit')
    return subject.kind === 'source_unit' && !!actor.sourceUnitId && subject.sourceUnitId === actor.sourceUnitId
  if (actor.role === 'operator') return subject.kind === 'operator'
  return false
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The subject and its evaluation when `actor` may see it; null otherwise (unknown and another's read the same). */
export async function loadVisibleSubject(
  db: Db,
  actor: Actor,
  subjectId: string,
): Promise<{ subject: SubjectRow; evaluation: EvaluationRow } | null> {
  if (typeof subjectId !== 'string' || !UUID.test(subjectId)) return null
  const [row] = await db
    .select({ subject: evaluationSubjects, evaluation: evaluations })
    .from(evaluationSubjects)
    .innerJoin(evaluations, eq(evaluations.id, evaluationSubjects.evaluationId))
    .where(eq(evaluationSubjects.id, subjectId))
    .limit(1)
  if (!row || !canSeeSubject(actor, row.subject)) return null
  return row
}

/** JSON columns read defensively: a malformed value reads as empty. */
export function parseJsonObject<T>(text: string | null): Record<string, T> {
  if (!text) return {}
  try {
    const v = JSON.parse(text) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, T>) : {}
  } catch {
    return {}
  }
}

/** The subject's name as the notices and lists show it. */
export async function subjectName(
  db: Db,
  subject: { kind: string; sourceUnitId: string | null; partnerId: string | null },
): Promise<string> {
  if (subject.kind === 'source_unit' && subject.sourceUnitId) {
    const [u] = await db.select({ name: sourceUnits.nameZh }).from(sourceUnits).where(eq(sourceUnits.id, subject.sourceUnitId))
    return u?.name ?? '—'
  }
  if (subject.kind === 'partner' && subject.partnerId) {
    const [p] = await db.select({ name: partners.name }).from(partners).where(eq(partners.id, subject.partnerId))
    return p?.name ?? '—'
  }
  return '授权运营单位'
}
