import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluationCriteria, evaluationSchemes, type EvaluationSubjectKind } from '#db/schema/index.ts'

export interface SchemeView {
  id: string
  subjectKind: EvaluationSubjectKind
  version: number
  passMark: number
  note: string
  createdAt: number
  createdByLabel: string
  criteria: { key: string; nameZh: string; nameEn: string; weight: number; measures: string[] }[]
}

/** A scheme version with its criteria in order, or null. */
export async function findScheme(
  db: Db,
  where: { id: string } | { subjectKind: EvaluationSubjectKind },
): Promise<SchemeView | null> {
  const [scheme] = await db
    .select()
    .from(evaluationSchemes)
    .where('id' in where ? eq(evaluationSchemes.id, where.id) : eq(evaluationSchemes.subjectKind, where.subjectKind))
    .orderBy(desc(evaluationSchemes.version))
    .limit(1)
  if (!scheme) return null
  const criteria = await db
    .select()
    .from(evaluationCriteria)
    .where(and(eq(evaluationCriteria.schemeId, scheme.id)))
    .orderBy(evaluationCriteria.ordinal)
  return {
    id: scheme.id,
    subjectKind: scheme.subjectKind,
    version: scheme.version,
    passMark: scheme.passMark,
    note: scheme.note,
    createdAt: scheme.createdAt,
    createdByLabel: scheme.createdByLabel,
    criteria: criteria.map((c) => ({
      key: c.key,
      nameZh: c.nameZh,
      nameEn: c.nameEn,
      weight: c.weight,
      measures: c.measures ? c.measures.split(',') : [],
    })),
  }
}

/** The versions of every kind, newest first (the current one of each kind is its first). */
export async function listEvaluationSchemes(db: Db): Promise<SchemeView[]> {
  const rows = await db
    .select({ id: evaluationSchemes.id })
    .from(evaluationSchemes)
    .orderBy(evaluationSchemes.subjectKind, desc(evaluationSchemes.version))
  const views = await Promise.all(rows.map((r) => findScheme(db, { id: r.id })))
  return views.filter((v): v is SchemeView => v !== null)
}
