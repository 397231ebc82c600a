import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplicationDocuments, partnerApplications } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { discardEvidenceFile, storeEvidenceFile } from '#supervision/cases/evidence-store.ts'
import { DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, hashToken, isTokenShaped } from './application-rules.ts'

/**
 * The applicant adds a qualification document through the status link, while the application is `submitted`: the
 * raw body streamed to the data directory, never held whole, typed by its first bytes (PDF, PNG, JPEG), at most
 * DOCUMENT_MAX_BYTES (the store of rectification evidence, ADR 0028, in a directory of its own).
 */
export async function addApplicationDocument(
  db: Db,
  opts: {
    actor: Actor
    token: string
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
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.submit')
  if (denied) return denied
  const [app] = isTokenShaped(opts.token)
    ? await db
        .select({ id: partnerApplications.id, number: partnerApplications.number, state: partnerApplications.state })
        .from(partnerApplications)
        .where(eq(partnerApplications.statusTokenHash, hashToken(opts.token)))
        .limit(1)
    : []
  if (!app) return fail('not_found', 'application_not_found', 'No such application')
  if (app.state !== 'submitted') return fail('conflict', 'application_not_open', `Application ${app.number} is ${app.state}`)
  const [{ n } = { n: 0 }] = await db
    .select({ n: count() })
    .from(partnerApplicationDocuments)
    .where(eq(partnerApplicationDocuments.applicationId, app.id))
  if (n >= DOCUMENT_MAX_FILES) return fail('conflict', 'document_limit_reached', `At most ${DOCUMENT_MAX_FILES} documents`)
  const stored = await storeEvidenceFile({
    directory: opts.directory,
    content: opts.content,
    declaredBytes: opts.declaredBytes,
    maxBytes: opts.maxBytes ?? DOCUMENT_MAX_BYTES,
    signal: opts.signal,
  })
  if (!stored.ok) {
    if (stored.reason === 'too_large') return fail('validation', 'file_too_large', 'The file is too large', { file: 'too_large' })
    if (stored.reason === 'empty') return fail('validation', 'file_required', 'The file is empty', { file: 'required' })
    if (stored.reason === 'unsupported_type')
      return fail('validation', 'unsupported_file_type', 'Only PDF, PNG or JPEG files', { file: 'unsupported_type' })
    return fail('validation', 'upload_interrupted', 'The upload was interrupted')
  }
  const fileName = opts.fileName.trim().slice(0, 200) || 'document'
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_application.add_document',
        objectType: 'partner_application',
        objectId: app.id,
        requestId: opts.requestId,
        detail: { number: app.number, document: stored.id, file: fileName, bytes: stored.bytes, sha256: stored.sha256 },
      },
      [
        db.insert(partnerApplicationDocuments).values({
          id: stored.id,
          applicationId: app.id,
          fileName,
          mediaType: stored.mediaType,
          bytes: stored.bytes,
          sha256: stored.sha256,
          createdAt: opts.now ?? Date.now(),
        }),
      ],
    )
  } catch (error) {
    await discardEvidenceFile(opts.directory, stored.id)
    throw error
  }
  return ok({ id: stored.id, bytes: stored.bytes, mediaType: stored.mediaType })
}
