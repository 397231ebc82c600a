import { createHmac, timingSafeEqual } from 'node:crypto'

// Every batch of the log feed is signed over the exact bytes of its body (api-specs/supervision-feed.yaml, ADR 0025):
//
//   X-Supervision-Signature: hmac-sm3=<64 lowercase hex digits>
//
// HMAC (RFC 2104) with SM3 (GB/T 32905-2016) as its hash, keyed with the UTF-8 bytes of SUPERVISION_FEED_KEY, the key
// the platform and the exchange share. The same SM3 as the audit chain (platform/audit/audit-hash.ts) and the blind
// indexes (platform/crypto/blind-index.ts), from Node's OpenSSL.

export const FEED_SIGNATURE_HEADER = 'X-Supervision-Signature'
export const FEED_SIGNATURE_SCHEME = 'hmac-sm3'
const SIGNATURE_RE = /^hmac-sm3=([0-9a-f]{64})$/

/** The HMAC-SM3 of `body` under `key`, as 64 lowercase hex digits. */
export function hmacSm3Hex(key: string, body: Uint8Array | string): string {
  return createHmac('sm3', Buffer.from(key, 'utf8')).update(body).digest('hex')
}

/** The value of the X-Supervision-Signature header for `body`. */
export function signFeedBody(key: string, body: Uint8Array | string): string {
  return `${FEED_SIGNATURE_SCHEME}=${hmacSm3Hex(key, body)}`
}

/**
 * Whether `header` is the signature of exactly these `body` bytes under `key` (what the exchange's receiver checks
 * before reading anything). Constant-time on the digest; a malformed or missing header is false.
 */
export function verifyFeedSignature(key: string, body: Uint8Array | string, header: string | null | undefined): boolean {
  const match = typeof header === 'string' ? SIGNATURE_RE.exec(header.trim()) : null
  if (!match) return false
  const expected = Buffer.from(hmacSm3Hex(key, body), 'hex')
  const actual = Buffer.from(match[1]!, 'hex')
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
