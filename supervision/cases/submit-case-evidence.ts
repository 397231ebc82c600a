import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { caseEvidence } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { caseEventStatement, findCaseRow, isCaseParty, isLostTransition, transitionCase } from './case-parties.ts'
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, checkText, TEXT_LIMITS } from './case-rules.ts'
import { discardEvidenceFile, storeEvidenceFile } from './evidence-store.ts'

/** While the party may still answer: once closed, escalated or terminated, the bureau has decided. */
const ANSWERABLE = ['open', 'evidence_submitted'] as const

/**
 * The party answers a case with a rectification evidence file (a PDF or an image, told by its first bytes, at most
 * EVIDENCE_MAX_BYTES, streamed to the data directory, never held whole). The case becomes `evidence_submitted`, the
 * bureau is told. Another party's case is `not_found`.
 */
export async function submitCaseEvidence(
  db: Db,
  opts: {
    actor: Actor
    code: string
    fileName: string
    content: AsyncIterable<Uint8Array>
    declaredBytes: number | null
    directory: string
    maxBytes?: number
    note?: string | null
    signal?: AbortSignal
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string; bytes: number; mediaType: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'case.submit_evidence')
  if (denied) return denied
  const note = checkText(opts.note, 'note', TEXT_LIMITS.resolution, false)
  if (note.error) return fail('validation', 'note_too_long', 'The note is too long', { note: note.error.code })
  const found = await findCaseRow(db, opts.code)
  if (!found || !isCaseParty(opts.actor, found)) return fail('not_found', 'case_not_found', `No case ${opts.code}`)
  if (!(ANSWERABLE as readonly string[]).includes(found.state))
    return fail('conflict', 'case_not_open', `Case ${found.code} is ${found.state}`)
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(caseEvidence).where(eq(caseEvidence.caseId, found.id))
  if (n >= EVIDENCE_MAX_FILES) return fail('conflict', 'evidence_limit_reached', `At most ${EVIDENCE_MAX_FILES} files per case`)

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
  const now = opts.now ?? Date.now()
  const fileName = opts.fileName.trim().slice(0, 200) || 'evidence'
  const notices = await notificationStatements(db, {
    audiences: [{ kind: 'bureau' }],
    kind: 'evidence_submitted',
    caseId: found.id,
    params: { case: found.code, file: fileName },
    now,
  })
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'case.submit_evidence',
        objectType: 'rectification_case',
        objectId: found.id,
        requestId: opts.requestId,
        detail: { code: found.code, evidence: stored.id, file: fileName, bytes: stored.bytes, sha256: stored.sha256 },
      },
      [
        db.insert(caseEvidence).values({
          id: stored.id,
          caseId: found.id,
          fileName,
          mediaType: stored.mediaType,
          bytes: stored.bytes,
          sha256: stored.sha256,
          uploadedByUserId: opts.actor.id,
          uploadedByLabel: opts.actor.label,
          role: opts.actor.role,
          createdAt: now,
        }),
        transitionCase(db, { id: found.id, from: ANSWERABLE, to: 'evidence_submitted', set: { evidenceSubmittedAt: now } }),
        caseEventStatement(db, {
          caseId: found.id,
          kind: 'evidence_submitted',
          actor: opts.actor,
          at: now,
          note: note.text,
          detail: { evidence: stored.id, file: fileName, bytes: stored.bytes, mediaType: stored.mediaType },
        }),
        ...notices,
      ],
    )
  } catch (error) {
    await discardEvidenceFile(opts.directory, stored.id)
    // The bureau closed the case (or the deadline job escalated it) while the file arrived.
    if (isLostTransition(error)) return fail('conflict', 'case_not_open', `Case ${found.code} changed meanwhile`)
    throw error
  }
  return ok({ id: stored.id, bytes: stored.bytes, mediaType: stored.mediaType })
}
