import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * CSRF tokens (docs/decisions/0017-csrf.md). A token is an HMAC, under the server's session secret, of what the
 * browser already holds and another site cannot read: the session cookie once signed in, else a random browser id
 * (`sdp_csrf`, set by the server on the first page). Nothing is stored; the server recomputes the token on every post
 * and compares it in constant time. A token is worth nothing to another browser or another session.
 */

export { CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER } from './csrf-names.ts'

const BROWSER_ID = /^[A-Za-z0-9_-]{32}$/
const TOKEN = /^[A-Za-z0-9_-]{43}$/

export function newBrowserId(): string {
  return randomBytes(24).toString('base64url')
}

export function isBrowserId(value: string | null | undefined): value is string {
  return typeof value === 'string' && BROWSER_ID.test(value)
}

/** The token for a binding (`session:<token>` or `browser:<id>`). Domain-separated from the cookie signatures. */
export function csrfTokenFor(secret: string, binding: string): string {
  return createHmac('sha256', secret).update(`sdp-csrf-v1\u0000${binding}`).digest('base64url')
}

/** Whether `submitted` is the token of `binding`, compared in constant time; anything malformed is false. */
export function isValidCsrfToken(secret: string, binding: string | null, submitted: unknown): boolean {
  if (binding === null || typeof submitted !== 'string' || !TOKEN.test(submitted)) return false
  const expected = Buffer.from(csrfTokenFor(secret, binding))
  const given = Buffer.from(submitted)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** One cookie's value from a Cookie header (the first one of that name, as browsers send the most specific first). */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}
