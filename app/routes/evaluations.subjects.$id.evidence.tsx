import type { ActionFunctionArgs } from '@remix-run/node'
import { addEvaluationEvidence, EVALUATION_EVIDENCE_MAX_BYTES, evaluationEvidenceDirectoryOf } from '#app/domain.server.ts'
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
 * A self-assessment's evidence upload (ADR 0034), as the rectification evidence (ADR 0028): the file is the raw body,
 * the CSRF token comes in a header, the body is streamed to the data directory and checked by its first bytes (PDF,
 * PNG, JPEG) and its size (413 at once by Content-Length, or as soon as it passes the limit). Answers JSON.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit', 'operator'])
  if (request.method !== 'POST') return answer(405, { error: 'method_not_allowed' })
  await requireCsrfToken(request, context, request.headers.get(CSRF_HEADER))
  if (!RAW_UPLOAD_TYPES.has(uploadTypeOf(request))) return answer(415, { error: 'unsupported_content_type' })
  const declared = contentLengthOf(request.headers.get('content-length'))
  if (declared !== null && declared > EVALUATION_EVIDENCE_MAX_BYTES) return answer(413, { error: 'file_too_large' })
  const result = await addEvaluationEvidence(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    subjectId: params.id ?? '',
    fileName: fileNameOf(request.headers.get('x-file-name'), 'evidence'),
    content: chunksOf(request.body),
    declaredBytes: declared,
    directory: evaluationEvidenceDirectoryOf(context.platform.env.DATABASE_URL),
    signal: request.signal,
  })
  if (!result.ok) {
    const status = result.error.code === 'file_too_large' ? 413 : HTTP_STATUS_OF_KIND[result.error.kind]
    return answer(status, { error: result.error.code })
  }
  return answer(200, { id: result.value.id, bytes: result.value.bytes, mediaType: result.value.mediaType })
}
