import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { DataKey, DataKeyring } from './data-keyring.ts'

// A personal value at rest: SM4-CBC under a random IV, then an SM3-HMAC tag over the whole envelope and the column
// it belongs to (encrypt-then-MAC; docs/decisions/0019-sm4-personal-data-at-rest.md):
//
//   sm4:v1:<keyId>:<iv>:<ciphertext>:<tag>        (iv, ciphertext, tag in base64url; tag = 16 bytes of the HMAC)
//
// CBC pads to 16-byte blocks, so a name, a phone number and an ID number all take one or two blocks whatever their
// exact length. The tag covers the key id, the IV, the ciphertext and a context (`city_enterprises.legal_rep_id_card`):
// a value altered, or moved into another column, is refused instead of read.

export const SEALED_PREFIX = 'sm4:v1:'
const TAG_BYTES = 16
const IV_BYTES = 16

export type SealedValueProblem = 'malformed' | 'unknown_key' | 'tampered'

/** A stored value that cannot be read: our own store altered, or a key missing from the ring. Never expected. */
export class SealedValueError extends Error {
  constructor(
    readonly problem: SealedValueProblem,
    message: string,
  ) {
    super(message)
  }
}

/** True for a string in the envelope format (not a proof that it opens). */
export const isSealedValue = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX)

/** The key id a sealed value names, or null for anything else. */
export function sealedKeyIdOf(value: string): string | null {
  if (!value.startsWith(SEALED_PREFIX)) return null
  const end = value.indexOf(':', SEALED_PREFIX.length)
  return end < 0 ? null : value.slice(SEALED_PREFIX.length, end)
}

const tagOf = (key: DataKey, header: string, context: string) =>
  createHmac('sm3', key.macKey).update(header).update('\n').update(context).digest().subarray(0, TAG_BYTES)

/** Seals `plain` under `key` (default: the ring's current key) for the column `context`. */
export function sealWithKey(key: DataKey, plain: string, context: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('sm4-cbc', key.cipherKey, iv)
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  const header = `${SEALED_PREFIX}${key.id}:${iv.toString('base64url')}:${ciphertext.toString('base64url')}`
  return `${header}:${tagOf(key, header, context).toString('base64url')}`
}

/** Seals `plain` under the ring's current key. */
export function sealValue(keyring: DataKeyring, plain: string, context: string): string {
  return sealWithKey(keyring.current, plain, context)
}

/** Opens a sealed value of the column `context`; throws SealedValueError if it is malformed, altered or its key is gone. */
export function openValue(keyring: DataKeyring, sealed: string, context: string): string {
  const parts = sealed.split(':')
  if (parts.length !== 6 || `${parts[0]}:${parts[1]}:` !== SEALED_PREFIX) {
    throw new SealedValueError('malformed', `${context}: not a sealed value`)
  }
  const [, , keyId, ivText, ciphertextText, tagText] = parts as [string, string, string, string, string, string]
  const key = keyring.get(keyId)
  if (!key) throw new SealedValueError('unknown_key', `${context}: sealed under key ${keyId}, which the keyring does not hold`)
  const header = sealed.slice(0, sealed.length - tagText.length - 1)
  const tag = Buffer.from(tagText, 'base64url')
  const expected = tagOf(key, header, context)
  if (tag.length !== TAG_BYTES || !timingSafeEqual(tag, expected)) {
    throw new SealedValueError('tampered', `${context}: the value's tag does not match (altered, or from another column)`)
  }
  const iv = Buffer.from(ivText, 'base64url')
  const ciphertext = Buffer.from(ciphertextText, 'base64url')
  if (iv.length !== IV_BYTES || ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new SealedValueError('malformed', `${context}: bad IV or ciphertext length`)
  }
  const decipher = createDecipheriv('sm4-cbc', key.cipherKey, iv)
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
}

/**
 * The value re-sealed under the ring's current key, or null when it already is (rotation skips it). A plain value
 * (stored before values were sealed) is sealed as it is.
 */
export function resealValue(keyring: DataKeyring, stored: string, context: string): string | null {
  if (!isSealedValue(stored)) return sealValue(keyring, stored, context)
  if (sealedKeyIdOf(stored) === keyring.current.id) return null
  return sealValue(keyring, openValue(keyring, stored, context), context)
}
