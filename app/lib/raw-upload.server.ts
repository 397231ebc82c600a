import { hasUrlControlCharacter } from '#platform/text/control-characters.ts'

// The raw-body file uploads (ADR 0028: rectification evidence; ADR 0030: application documents; ADR 0034: evaluation
// evidence): the file is the request body, its name in `X-File-Name`, the CSRF token in a header. One reading of the
// request for all three; each route checks its own actor and size limit and calls its own domain operation.

/** Content types a raw upload may declare; the domain operation checks the real type by the first bytes. */
export const RAW_UPLOAD_TYPES = new Set(['application/octet-stream', 'application/pdf', 'image/png', 'image/jpeg'])

export const uploadAnswer = (status: number, body: Record<string, unknown>) => Response.json(body, { status })

/** The declared content type without its parameters, lower case. */
export const uploadTypeOf = (request: Request) => (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()

/** The body as chunks, empty ones skipped, the reader released whatever happens. */
export async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
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

/** Content-Length as a whole number of bytes; null when absent or malformed (the stream's own count decides then). */
export function contentLengthOf(header: string | null): number | null {
  if (header === null) return null
  const n = Number(header)
  return Number.isSafeInteger(n) && n >= 0 ? n : null
}

/** The name the page sent (URI-encoded), for the download's name only; a malformed one becomes `fallback`. */
export function fileNameOf(header: string | null, fallback: string): string {
  let name: string
  try {
    name = decodeURIComponent(header ?? '')
  } catch {
    return fallback
  }
  if (hasUrlControlCharacter(name)) return fallback
  return (name.split(/[\\/]/).pop() ?? '').trim().slice(0, 200) || fallback
}
