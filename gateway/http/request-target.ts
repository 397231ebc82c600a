import { GatewayError } from './gateway-error.ts'

export interface RequestTarget {
  /** The path as sent (still percent-encoded): routing matches it segment by segment. */
  path: string
  query: URLSearchParams
}

/** C0 controls, DEL and C1 controls: never meaningful in a path segment, a query value or a header. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true
  }
  return false
}

/** Strict percent-decoding: a malformed escape or bytes that are not UTF-8 are the client's error (400). */
export function decodeComponent(raw: string, where: string): string {
  let decoded: string
  try {
    decoded = raw.indexOf('%') === -1 ? raw : decodeURIComponent(raw)
  } catch {
    throw new GatewayError('bad_request', `Malformed percent-encoding in the ${where}`, { [where]: 'malformed_encoding' })
  }
  if (hasControlCharacter(decoded)) {
    throw new GatewayError('bad_request', `Control characters are not allowed in the ${where}`, { [where]: 'control_character' })
  }
  return decoded
}

/**
 * Splits a request target into path and query, refusing what a well-behaved client never sends: anything but an
 * origin-form target, raw bytes outside printable ASCII, malformed percent-escapes and control characters in the
 * query. Path segments are decoded (strictly) when routed.
 */
export function parseRequestTarget(url: string): RequestTarget {
  if (!url.startsWith('/')) throw new GatewayError('bad_request', 'The request target must be a path')
  // Node's parser lets bytes above 0x7e through as latin1 characters; a URL never holds them unencoded.
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c <= 0x20 || c >= 0x7f)
      throw new GatewayError('bad_request', 'The request target holds bytes that must be percent-encoded')
  }
  const queryAt = url.indexOf('?')
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  if (queryAt === -1 || queryAt === url.length - 1) return { path, query: new URLSearchParams() }
  const query = new URLSearchParams()
  for (const pair of url.slice(queryAt + 1).split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '), 'query')
    const value = decodeComponent((eq === -1 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '), 'query')
    query.append(name, value)
  }
  return { path, query }
}
