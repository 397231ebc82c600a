import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportLogs } from '#app/domain.server.ts'
import { getLang, requireActor } from '#app/session.server.ts'
import { HTTP_STATUS_OF_KIND } from '#platform/result.ts'

const QUERY_KEYS = ['kind', 'from', 'to', 'partner', 'product', 'dataset', 'sourceUnit', 'requestId', 'text'] as const

// Resource route: the rows of a log search as CSV, streamed page by page (ADR 0026); the export is an audited read.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['auditor', 'bureau'])
  const url = new URL(request.url)
  const input: Record<string, string> = {}
  for (const key of QUERY_KEYS) {
    const value = url.searchParams.get(key)
    if (value !== null && value !== '') input[key] = value
  }
  const { db, requestId, drained } = context.platform
  const result = await exportLogs(db, {
    actor,
    input,
    format: 'csv',
    lang: await getLang(request),
    requestId,
    beforePage: drained,
    signal: request.signal,
  })
  if (!result.ok) {
    return new Response(JSON.stringify({ error: { code: result.error.code, fields: result.error.fields ?? {} } }), {
      status: HTTP_STATUS_OF_KIND[result.error.kind],
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-store' },
    })
  }
  return new Response(result.value.stream, {
    headers: {
      'content-type': result.value.contentType,
      'content-disposition': `attachment; filename="${result.value.filename}"`,
      'cache-control': 'private, no-store',
    },
  })
}
