import { createHash, randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'

// Key format (docs/decisions/0005-api-key-format-and-hash.md):
//   sdp_<32 base62 random><6 base62 CRC32 of the random part>
// The prefix makes a leaked key recognisable to secret scanners; the checksum
// rejects a mistyped or truncated key before any lookup.
export const API_KEY_PREFIX = 'sdp_'
const BODY_LENGTH = 32
const CHECKSUM_LENGTH = 6
export const API_KEY_LENGTH = API_KEY_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const KEY_PATTERN = /^sdp_[0-9A-Za-z]{38}$/

function toBase62(value: number, width: number): string {
  let out = ''
  let n = value
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out
    n = Math.floor(n / 62)
  }
  return out
}

function checksumOf(body: string): string {
  return toBase62(crc32(body), CHECKSUM_LENGTH)
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** The part shown in lists and quick-start snippets: enough to recognise, useless to call with. */
export function displayPrefixOf(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 8)
}

export function generateApiKey(): { key: string; hash: string; displayPrefix: string } {
  // Rejection sampling keeps the 62 symbols uniformly likely.
  let body = ''
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62]
    }
  }
  const key = `${API_KEY_PREFIX}${body}${checksumOf(body)}`
  return { key, hash: hashApiKey(key), displayPrefix: displayPrefixOf(key) }
}

/** Format and checksum only: no I/O, so garbage never reaches the database. */
export function isWellFormedApiKey(key: string): boolean {
  if (key.length !== API_KEY_LENGTH || !KEY_PATTERN.test(key)) return false
  const body = key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + BODY_LENGTH)
  return key.endsWith(checksumOf(body))
}

/** Builds a key from a chosen 32-character body. Only the demo seed uses this (a key printed at every start). */
export function apiKeyFromBody(body: string): { key: string; hash: string; displayPrefix: string } {
  if (!/^[0-9A-Za-z]{32}$/.test(body)) throw new Error('API key body must be 32 base62 characters')
  const key = `${API_KEY_PREFIX}${body}${checksumOf(body)}`
  return { key, hash: hashApiKey(key), displayPrefix: displayPrefixOf(key) }
}
