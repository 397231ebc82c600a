import type { IncomingMessage } from 'node:http'
import { GatewayError } from './gateway-error.ts'

/** Headers whose meaning would be ambiguous if sent twice (Node silently keeps the first of some of them). */
const SINGLE = new Set(['authorization', 'content-type', 'content-length', 'transfer-encoding', 'host'])

/**
 * Refuses requests whose framing or credentials are ambiguous: a duplicated Authorization, Content-Type,
 * Content-Length, Transfer-Encoding or Host header (400 `bad_request`). Node's parser already refuses conflicting
 * lengths and non-numeric Content-Length on the connection.
 */
export function checkHeaders(req: IncomingMessage): void {
  const raw = req.rawHeaders
  // Only five names matter; the common request has fewer than ten headers, so a pass over them is cheap.
  let seen = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (!SINGLE.has(name)) continue
    const bit =
      name === 'authorization' ? 1 : name === 'content-type' ? 2 : name === 'content-length' ? 4 : name === 'host' ? 8 : 16
    if (seen & bit) throw new GatewayError('bad_request', `The ${name} header is sent more than once`, { [name]: 'duplicated' })
    seen |= bit
  }
}

/**
 * The API key of an `Authorization: Bearer <key>` header (scheme case-insensitive, one space or more). Anything else —
 * another scheme, no key, a key followed by more words — is no key at all.
 */
export function bearerKeyOf(header: string | undefined): string {
  if (!header) return ''
  const match = /^bearer +(\S+) *$/i.exec(header)
  return match ? match[1]! : ''
}
