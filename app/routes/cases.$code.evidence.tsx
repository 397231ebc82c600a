import type { ActionFunctionArgs } from '@remix-run/node'
import { evidenceDirectoryOf, EVIDENCE_MAX_BYTES, submitCaseEvidence } from '#app/domain.server.ts'
import { requireActor } from '#app/session.server.ts'
import { CSRF_HEADER, requireCsrfToken } from '#app/lib/csrf.server.ts'
import {
  chunksOf,
  contentLengthOf,
  fileNameOf,
  RAW_UPLOAD_TYPES,
  uploadAnswer as answer,
  uploadTypeOf,
} from '#app/lib/raw-upload.server.ts'
import { HTTP_STATUS_OF_KIND } from '#platform/result.ts'

/**
 * The party's rectification evidence upload (ADR 0028), as the dataset upload: the file is the raw body (not a form a
 * page on another site could post without a preflight), the CSRF token comes in a header, the body is streamed to the
 * data directory and checked by its first bytes (PDF, PNG, JPEG) and its size (413 at once by Content-Length, or as
 * soon as it passes the limit). The answer is JSON: `{ id }`, or `{ error }` with the failure's status.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator', 'partner_admin'])
  if (request.method !== 'POST') return answer(405, { error: 'method_not_allowed' })
  await requireCsrfToken(request, context, request.headers.get(CSRF_HEADER))
  if (!RAW_UPLOAD_TYPES.has(uploadTypeOf(request))) return answer(415, { error: 'unsupported_content_type' })
  const declared = contentLengthOf(request.headers.get('content-length'))
  if (declared !== null && declared > EVIDENCE_MAX_BYTES) return answer(413, { error: 'file_too_large' })
  const result = await submitCaseEvidence(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    code: params.code ?? '',
    fileName: fileNameOf(request.headers.get('x-file-name'), 'evidence'),
    content: chunksOf(request.body),
    declaredBytes: declared,
    directory: evidenceDirectoryOf(context.platform.env.DATABASE_URL),
    signal: request.signal,
  })
  if (!result.ok) {
    const status = result.error.code === 'file_too_large' ? 413 : HTTP_STATUS_OF_KIND[result.error.kind]
    return answer(status, { error: result.error.code })
  }
  return answer(200, { id: result.value.id, bytes: result.value.bytes, mediaType: result.value.mediaType })
}
