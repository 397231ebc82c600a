import { randomBytes } from 'node:crypto'

/**
 * The security headers of every response: Remix pages, static files and the API. One module so the UI (Express) and
 * the gateway (plain node:http) send the same set; it imports nothing from Express or Remix, so the gateway may use it.
 * docs/decisions/0015-ui-hostile-input-headers-and-csv.md says why each value.
 */

export interface SecurityHeaderOptions {
  /** TLS ends at a proxy in front of us (env TRUST_PROXY): only then is HSTS sent. */
  trustProxy: boolean
  /** The Content-Security-Policy to send; default: the page policy without a nonce (static files). */
  contentSecurityPolicy?: string
}

/** One year; no `preload`, which is a commitment for the whole domain that the city's IT must make, not us. */
const HSTS = 'max-age=31536000; includeSubDomains'

/**
 * The page policy. Scripts: our own files plus inline scripts carrying this response's nonce (Remix's hydration data,
 * ScrollRestoration); Swagger UI's bundle is our own file too (/vendor/swagger-ui). Inline style *attributes* are allowed
 * (React `style={}` props render them); `<style>` elements need the nonce. No plugins, no <base>, no framing, forms
 * post only to us.
 */
export function pageContentSecurityPolicy(nonce?: string): string {
  const withNonce = nonce ? ` 'nonce-${nonce}'` : ''
  return [
    "default-src 'self'",
    `script-src 'self'${withNonce}`,
    `style-src 'self'${withNonce}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** For JSON and file answers of the API: nothing in them may run or load anything. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** A fresh nonce per response (128 random bits, base64): an attacker cannot guess it to run an injected script. */
export function createCspNonce(): string {
  return randomBytes(16).toString('base64')
}

/** Every security header as name → value (lower-case names), ready for `res.setHeader`. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': options.contentSecurityPolicy ?? pageContentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    // For browsers without CSP frame-ancestors.
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  }
  if (options.trustProxy) headers['strict-transport-security'] = HSTS
  return headers
}

/** Sets the headers on a node:http (or Express) response that has not sent its head yet. */
export function applySecurityHeaders(
  res: { setHeader(name: string, value: string): unknown; headersSent?: boolean },
  options: SecurityHeaderOptions,
): void {
  if (res.headersSent) return
  for (const [name, value] of Object.entries(securityHeaders(options))) res.setHeader(name, value)
}
