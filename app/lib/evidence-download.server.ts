import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { AppLoadContext } from '@remix-run/node'
import { evidenceDirectoryOf, evidencePath, EXTENSION_OF, findCaseEvidence } from '#app/domain.server.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

/**
 * A rectification evidence file as a download only (ADR 0028): never rendered inline, never cached, sandboxed should
 * a browser open it anyway; its type is the one sniffed from its bytes at upload. Another's case or file: 404.
 */
export async function evidenceDownload(
  context: AppLoadContext,
  actor: Actor,
  params: { code?: string; id?: string },
): Promise<Response> {
  const file = await findCaseEvidence(context.platform.db, { actor, code: params.code ?? '', evidenceId: params.id ?? '' })
  const path = file ? evidencePath(evidenceDirectoryOf(context.platform.env.DATABASE_URL), file.id) : null
  const size = path
    ? await stat(path).then(
        (s) => s.size,
        () => null,
      )
    : null
  if (!file || !path || size === null) throw new Response('Not found', { status: 404 })
  const mediaType = file.mediaType as keyof typeof EXTENSION_OF
  const base = file.fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'evidence'
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
