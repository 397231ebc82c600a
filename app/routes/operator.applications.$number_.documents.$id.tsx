import type { LoaderFunctionArgs } from '@remix-run/node'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { applicationDocumentDirectoryOf, EXTENSION_OF, evidencePath, findApplicationDocument } from '#app/domain.server.ts'
import { requireActor } from '#app/session.server.ts'

// Resource route: a qualification document as a download only (ADR 0030, as evidence under ADR 0028): never inline,
// never cached, sandboxed should a browser open it; its type is the one sniffed at upload. Unknown: 404.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const found = await findApplicationDocument(context.platform.db, {
    actor,
    number: params.number ?? '',
    documentId: params.id ?? '',
  })
  const path = found.ok ? evidencePath(applicationDocumentDirectoryOf(context.platform.env.DATABASE_URL), found.value.id) : null
  const size = path
    ? await stat(path).then(
        (s) => s.size,
        () => null,
      )
    : null
  if (!found.ok || !path || size === null) throw new Response('Not found', { status: 404 })
  const mediaType = found.value.mediaType as keyof typeof EXTENSION_OF
  const base = found.value.fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'document'
  const name = `${base}.${EXTENSION_OF[mediaType] ?? 'bin'}`
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, {
    headers: {
      'content-type': mediaType,
      'content-length': String(size),
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'content-security-policy': "sandbox; default-src 'none'",
      'cache-control': 'private, no-store',
    },
  })
}
