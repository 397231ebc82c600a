import { count, eq } from 'drizzle-orm'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { Db } from '#db/client.ts'
import { evaluationEvidence } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { discardEvidenceFile, storeEvidenceFile } from '#supervision/cases/evidence-store.ts'
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES } from '../evaluation-rules.ts'
import { isSubjectItself, loadVisibleSubject } from '../subject-access.ts'

/** Where evaluation evidence lives: `evaluation-evidence/` beside the database file (outside the web root). */
export function evaluationEvidenceDirectoryOf(databaseUrl: string, cwd = process.cwd()): string {
  if (!databaseUrl.startsWith('file:')) return resolve(cwd, 'data', 'evaluation-evidence')
  const path = databaseUrl.slice('file:'.length).split('?')[0]!
  return join(dirname(isAbsolute(path) ? path : resolve(cwd, path)), 'evaluation-evidence')
}

/**
 * A source unit or the operator adds an evidence file to its self-assessment (Art. 18), until the deadline and before
 * the bureau scores it: streamed to the data directory, never held whole, typed by its first bytes (PDF, PNG, JPEG),
 * at most EVIDENCE_MAX_BYTES (the store of rectification evidence, ADR 0028, in a directory of its own).
 */
export async function addEvaluationEvidence(
  db: Db,
  opts: {
    actor: Actor
    subjectId: string
    fileName: string
    content: AsyncIterable<Uint8Array>
    declaredBytes: number | null
    directory: string
    maxBytes?: number
    signal?: AbortSignal
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string; bytes: number; mediaType: string }>> {
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
  const [{ n } = { n: 0 }] = await db
    .select({ n: count() })
    .from(evaluationEvidence)
    .where(eq(evaluationEvidence.subjectId, subject.id))
  if (n >= EVIDENCE_MAX_FILES) return fail('conflict', 'evidence_limit_reached', `At most ${EVIDENCE_MAX_FILES} files`)
  const stored = await storeEvidenceFile({
    directory: opts.directory,
    content: opts.content,
    declaredBytes: opts.declaredBytes,
    maxBytes: opts.maxBytes ?? EVIDENCE_MAX_BYTES,
    signal: opts.signal,
  })
  if (!stored.ok) {
    if (stored.reason === 'too_large') return fail('validation', 'file_too_large', 'The file is too large', { file: 'too_large' })
    if (stored.reason === 'empty') return fail('validation', 'file_required', 'The file is empty', { file: 'required' })
    if (stored.reason === 'unsupported_type')
      return fail('validation', 'unsupported_file_type', 'Only PDF, PNG or JPEG files', { file: 'unsupported_type' })
    return fail('validation', 'upload_interrupted', 'The upload was interrupted')
  }
  const fileName = opts.fileName.trim().slice(0, 200) || 'evidence'
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'evaluation.add_evidence',
        objectType: 'evaluation_subject',
        objectId: subject.id,
        requestId: opts.requestId,
        detail: { evaluation: evaluation.code, evidence: stored.id, file: fileName, bytes: stored.bytes, sha256: stored.sha256 },
      },
      [
        db.insert(evaluationEvidence).values({
          id: stored.id,
          subjectId: subject.id,
          fileName,
          mediaType: stored.mediaType,
          bytes: stored.bytes,
          sha256: stored.sha256,
          uploadedByUserId: opts.actor.id,
          uploadedByLabel: opts.actor.label,
          createdAt: now,
        }),
      ],
    )
  } catch (error) {
    await discardEvidenceFile(opts.directory, stored.id)
    throw error
  }
  return ok({ id: stored.id, bytes: stored.bytes, mediaType: stored.mediaType })
}
