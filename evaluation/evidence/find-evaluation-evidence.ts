import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { evaluationEvidence } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { isSubjectItself, loadVisibleSubject } from '../subject-access.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * An evidence file's row for a download, or null: only the bureau and the subject itself (never another source unit,
 * a partner, or the operator for a source unit's) — unknown and not theirs read the same.
 */
export async function findEvaluationEvidence(
  db: Db,
  opts: { actor: Actor; evidenceId: string },
): Promise<{ id: string; fileName: string; mediaType: string; bytes: number } | null> {
  if (typeof opts.evidenceId !== 'string' || !UUID.test(opts.evidenceId)) return null
  const [row] = await db.select().from(evaluationEvidence).where(eq(evaluationEvidence.id, opts.evidenceId)).limit(1)
  if (!row) return null
  const found = await loadVisibleSubject(db, opts.actor, row.subjectId)
  if (!found) return null
  if (opts.actor.role !== 'bureau' && !isSubjectItself(opts.actor, found.subject)) return null
  return { id: row.id, fileName: row.fileName, mediaType: row.mediaType, bytes: row.bytes }
}
