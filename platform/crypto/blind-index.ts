import { createHmac, timingSafeEqual } from 'node:crypto'
import type { DataKey, DataKeyring } from './data-keyring.ts'

// A keyed blind index: what an equality lookup on a sealed field compares instead of the plain value
// (docs/decisions/0019-sm4-personal-data-at-rest.md). SM3-HMAC, under a key derived for this purpose only, of the
// normalised value and its kind:
//
//   <keyId>:<32 hex digits>        (the first 16 bytes of the HMAC)
//
// Without the key, an index cannot be computed from a guessed ID number, so the 10⁹-odd possible numbers of a
// district cannot be tried against the store. Each index names its key, so a ring in rotation still compares.

export type BlindIndexKind = 'id_card' | 'name'

const INDEX_BYTES = 16

/** Names compare without spaces and with the middle dots of minority-language names unified. */
export function normalizePersonName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[•・‧∙]/g, '·')
}

/** ID numbers compare trimmed, the check character `x` upper-case. */
export const normalizeIdNumber = (value: string) => value.trim().toUpperCase()

const NORMALIZE: Record<BlindIndexKind, (value: string) => string> = {
  id_card: normalizeIdNumber,
  name: normalizePersonName,
}

const digest = (key: DataKey, kind: BlindIndexKind, plain: string) =>
  createHmac('sm3', key.indexKey).update(kind).update('\n').update(NORMALIZE[kind](plain)).digest().subarray(0, INDEX_BYTES)

/** The blind index of `plain` under `key`. */
export function blindIndexWithKey(key: DataKey, kind: BlindIndexKind, plain: string): string {
  return `${key.id}:${digest(key, kind, plain).toString('hex')}`
}

/** The blind index of `plain` under the ring's current key (what a write stores). */
export function blindIndex(keyring: DataKeyring, kind: BlindIndexKind, plain: string): string {
  return blindIndexWithKey(keyring.current, kind, plain)
}

/** One index per key of the ring: an `IN (…)` lookup finds rows indexed under any of them (during a rotation). */
export function blindIndexCandidates(keyring: DataKeyring, kind: BlindIndexKind, plain: string): string[] {
  return keyring.keys.map((key) => blindIndexWithKey(key, kind, plain))
}

/**
 * Whether a stored index is that of `plain`, under the key the index names. False for an index under a key the ring
 * no longer holds (rotation not finished before the key was dropped).
 */
export function matchesBlindIndex(keyring: DataKeyring, stored: string, kind: BlindIndexKind, plain: string): boolean {
  const colon = stored.indexOf(':')
  const key = colon > 0 ? keyring.get(stored.slice(0, colon)) : undefined
  if (!key) return false
  const expected = Buffer.from(stored.slice(colon + 1), 'hex')
  const actual = digest(key, kind, plain)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
