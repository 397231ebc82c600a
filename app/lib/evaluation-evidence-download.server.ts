import type { AppLoadContext } from '@remix-run/node'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { EXTENSION_OF, evaluationEvidenceDirectoryOf, evidencePath, findEvaluationEvidence } from '#app/domain.server.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

/**
 * An evaluation evidence file as a download only (ADR 0034, as evidence under ADR 0028), for the bureau and the subject
 * itself: never inline, never cached, sandboxed should a browser open it. Another's or unknown: 404.
 */
export async function evaluationEvidenceDownload(
  context: AppLoadContext,
  actor: Actor,
  id: string | undefined,
): Promise<Response> {
  const file = await findEvaluationEvidence(context.platform.db, { actor, evidenceId: id ?? '' })
  const path = file ? evidencePath(evaluationEvidenceDirectoryOf(context.platform.env.DATABASE_URL), file.id) : null
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
