import type { ActionFunctionArgs } from '@remix-run/node'
import { loadDatasetFile } from '#app/domain.server.ts'
import { requireActor } from '#app/session.server.ts'
import { CSRF_HEADER, requireCsrfToken } from '#app/lib/csrf.server.ts'
import { hasUrlControlCharacter } from '#platform/text/control-characters.ts'
import { HTTP_STATUS_OF_KIND } from '#platform/result.ts'

/** Uploads bigger than this are refused: at once when Content-Length says so, else as soon as the bytes pass it (413). */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024

/**
 * The body types a file may come as. The page sends `application/octet-stream`; none of these is a type a form on
 * another site can post without a CORS preflight (text/plain, multipart and url-encoded bodies are refused: 415).
 */
const FILE_TYPES = new Set(['application/octet-stream', 'text/csv', 'application/csv', 'application/json'])

const answer = (status: number, body: Record<string, unknown>) => Response.json(body, { status })

/**
 * The file upload of the dataset page (Art. 16, `file` delivery): the browser
 * sends the file as the raw body with XMLHttpRequest, so it can show upload
 * progress; the answer is the load's outcome as JSON (resource route, no page).
 * The body is streamed into the intake (catalog/datasets/load-dataset-file.ts),
 * never held whole; hostile input gets a 4xx: a wrong content type 415, an empty
 * body 400, a body over the limit 413 (by Content-Length or while it streams),
 * a bad file 422 with its per-row report. A client that hangs up mid-upload is
 * recorded as a failed load, not logged as an error.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  if (request.method !== 'POST') return answer(405, { error: 'method_not_allowed' })
  // No form here: the page sends the CSRF token in a header (ADR 0017); 403 before a byte of the file is read.
  await requireCsrfToken(request, context, request.headers.get(CSRF_HEADER))
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (!FILE_TYPES.has(type)) return answer(415, { error: 'unsupported_content_type' })
  const result = await loadDatasetFile(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    datasetCode: params.code ?? '',
    fileName: fileNameOf(request.headers.get('x-file-name')),
    content: chunksOf(request.body),
    declaredBytes: contentLengthOf(request.headers.get('content-length')),
    maxBytes: MAX_UPLOAD_BYTES,
    signal: request.signal,
    trigger: 'manual',
  })
  // The page reads `error` as a code (the form kit's translator); the status is its kind's, as everywhere.
  if (!result.ok) return answer(HTTP_STATUS_OF_KIND[result.error.kind], { error: result.error.code })
  const outcome = result.value
  switch (outcome.reason) {
    case 'too_large':
      return answer(413, { error: 'file_too_large', loadId: outcome.loadId })
    case 'empty':
      return answer(400, { error: 'file_required', loadId: outcome.loadId })
    case 'interrupted':
      // Nobody is listening any more; the answer only keeps the request's life cycle ordinary.
      return answer(400, { error: 'upload_interrupted', loadId: outcome.loadId })
  }
  return answer(outcome.state === 'succeeded' ? 200 : 422, { outcome })
}

/**
 * The body as it arrives. Reading stops when the intake stops asking (the file is over the limit, or unreadable):
 * the lock is released, not the stream cancelled (that would reset the socket before the answer is sent); the
 * server answers with `Connection: close` when the body was not read to its end (server/ui-request-guard.ts).
 */
async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      if (value.byteLength > 0) yield value
    }
  } finally {
    reader.releaseLock()
  }
}

/** Node has already refused a malformed Content-Length; absent (chunked) is null. */
function contentLengthOf(header: string | null): number | null {
  if (header === null) return null
  const n = Number(header)
  return Number.isSafeInteger(n) && n >= 0 ? n : null
}

/**
 * The name the page sent (URI-encoded), kept for lineage: its last path segment, at most 200 characters. A malformed
 * or control-character name is not worth refusing the file for: it becomes `upload`.
 */
function fileNameOf(header: string | null): string {
  let name: string
  try {
    name = decodeURIComponent(header ?? '')
  } catch {
    return 'upload'
  }
  if (hasUrlControlCharacter(name)) return 'upload'
  return (name.split(/[\\/]/).pop() ?? '').trim().slice(0, 200) || 'upload'
}
