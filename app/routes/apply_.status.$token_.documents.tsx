import type { ActionFunctionArgs } from '@remix-run/node'
import { addApplicationDocument, applicationDocumentDirectoryOf, DOCUMENT_MAX_BYTES } from '#app/domain.server.ts'
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
import { getOptionalUser } from '#app/session.server.ts'

/**
 * The applicant's qualification document upload (ADR 0030), as the rectification evidence upload: the file is the
 * raw body (no form another site could post without a preflight), the CSRF token (bound to the visitor's browser id)
 * in a header, the body streamed to the data directory and checked by its first bytes and its size. The status token
 * in the path is the authority. JSON answers: `{ id }`, or `{ error }` with the failure's status.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return answer(405, { error: 'method_not_allowed' })
  // Applying and accepting an invite are for visitors: a signed-in account (an auditor's, a partner's) posts nothing here.
  if (await getOptionalUser(request, context)) throw new Response('Forbidden', { status: 403 })
  await requireCsrfToken(request, context, request.headers.get(CSRF_HEADER))
  if (!RAW_UPLOAD_TYPES.has(uploadTypeOf(request))) return answer(415, { error: 'unsupported_content_type' })
  const declared = contentLengthOf(request.headers.get('content-length'))
  if (declared !== null && declared > DOCUMENT_MAX_BYTES) return answer(413, { error: 'file_too_large' })
  const result = await addApplicationDocument(context.platform.db, {
    actor: { id: null, label: 'applicant', role: 'anonymous' },
    token: params.token ?? '',
    fileName: fileNameOf(request.headers.get('x-file-name'), 'document'),
    content: chunksOf(request.body),
    declaredBytes: declared,
    directory: applicationDocumentDirectoryOf(context.platform.env.DATABASE_URL),
    signal: request.signal,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const status = result.error.code === 'file_too_large' ? 413 : HTTP_STATUS_OF_KIND[result.error.kind]
    return answer(status, { error: result.error.code })
  }
  return answer(200, { id: result.value.id, bytes: result.value.bytes, mediaType: result.value.mediaType })
}
