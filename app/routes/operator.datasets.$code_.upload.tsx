import type { ActionFunctionArgs } from '@remix-run/node'
import { loadDatasetFile } from '#app/domain.server.ts'
import { requireUser } from '#app/session.server.ts'

/** Uploads bigger than this are refused before they are read (413). */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024

/**
 * The file upload of the dataset page (Art. 16, `file` delivery): the browser
 * sends the file as the raw body with XMLHttpRequest, so it can show upload
 * progress; the answer is the load's outcome as JSON (resource route, no page).
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['operator'])
  if (request.method !== 'POST') return Response.json({ error: 'method_not_allowed' }, { status: 405 })
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > MAX_UPLOAD_BYTES) return Response.json({ error: 'file_too_large' }, { status: 413 })
  let fileName = 'upload'
  try {
    fileName = decodeURIComponent(request.headers.get('x-file-name') ?? 'upload').slice(0, 200) || 'upload'
  } catch {
    // A malformed name is not worth refusing the file for.
  }
  const content = new Uint8Array(await request.arrayBuffer())
  if (content.byteLength > MAX_UPLOAD_BYTES) return Response.json({ error: 'file_too_large' }, { status: 413 })
  if (content.byteLength === 0) return Response.json({ error: 'file_required' }, { status: 400 })
  const result = await loadDatasetFile(context.platform.db, {
    actor: { id: user.id, label: user.username, role: user.role },
    requestId: context.platform.requestId,
    datasetCode: params.code ?? '',
    fileName,
    content,
    trigger: 'manual',
  })
  if (!result.ok) return Response.json({ error: result.error.code }, { status: result.error.kind === 'not_found' ? 404 : 409 })
  return Response.json({ outcome: result.value }, { status: result.value.state === 'succeeded' ? 200 : 422 })
}
