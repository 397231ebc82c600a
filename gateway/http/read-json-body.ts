import type { IncomingMessage } from 'node:http'
import { GatewayError } from './gateway-error.ts'

export const MAX_BODY_BYTES = 64 * 1024

/** Reads a JSON body with a size cap (413) and a media-type check (415). */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new GatewayError('unsupported_media_type', 'Content-Type must be application/json')
  }
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) {
    req.resume()
    throw new GatewayError('payload_too_large', `Request body exceeds ${maxBytes} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) {
      req.resume()
      throw new GatewayError('payload_too_large', `Request body exceeds ${maxBytes} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new GatewayError('validation_failed', 'Request body is not valid JSON', { body: 'invalid_json' })
  }
}
