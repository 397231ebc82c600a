import { createHash, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'

// The keys that protect personal data at rest (docs/decisions/0019-sm4-personal-data-at-rest.md).
//
// DATA_ENCRYPTION_KEY holds a keyring: comma-separated entries `[<keyId>:]<secret>`, the secret 32–128 hex digits
// (128–512 bits). The first entry is the current key: every value sealed from now on is sealed under it. The others
// are earlier keys, kept only so that values sealed under them can still be read until `crypto:rotate-key` has
// re-sealed them; then they are dropped. An entry without an id gets one from its secret's SM3 fingerprint
// (`k` + 8 hex digits), so a bare random secret (what demo mode generates) is a complete keyring.
//
// Each entry's secret is never used directly: HKDF-SM3 derives from it, bound to the key id, three keys for three
// purposes, so that no key serves two: the SM4-128 key, the SM3-HMAC key of the envelope's tag, and the SM3-HMAC key
// of the blind indexes.

/** Lower-case letters, digits and `-`, at most 16: no `:` or `,` (the separators of the keyring and the envelope). */
export const DATA_KEY_ID_RE = /^[a-z0-9][a-z0-9-]{0,15}$/
const SECRET = '(?:[0-9a-fA-F]{2}){16,64}'
const ID = '[a-z0-9][a-z0-9-]{0,15}'
/** One keyring entry. */
const ENTRY_RE = new RegExp(`^(?:(${ID}):)?(${SECRET})$`)
/** The format DATA_ENCRYPTION_KEY must have (platform/env.ts validates it with this). */
export const DATA_KEYRING_RE = new RegExp(`^(?:${ID}:)?${SECRET}(?:,(?:${ID}:)?${SECRET})*$`)
export const DATA_KEYRING_FORMAT = '[<keyId>:]<32–128 hex digits>, comma-separated, the current key first'

/**
 * The fixed key of tests and development (NODE_ENV=test|development) when DATA_ENCRYPTION_KEY is unset. Public, so
 * it protects nothing: named `dev-only-…` like the other development defaults, which platform/env.ts refuses
 * outside demo mode.
 */
export const DEV_DATA_ENCRYPTION_KEY = `dev-only-test:${'0123456789abcdef'.repeat(4)}`

export class DataKeyError extends Error {}

/** One key of the ring, with its derived keys. */
export interface DataKey {
  readonly id: string
  /** SM4-128 key (16 bytes). */
  readonly cipherKey: KeyObject
  /** SM3-HMAC key of the envelope's tag. */
  readonly macKey: KeyObject
  /** SM3-HMAC key of the blind indexes. */
  readonly indexKey: KeyObject
  /** The entry's secret, to hand the key to a worker thread of this process (the intake scan). Never logged. */
  readonly secretHex: string
}

const derive = (secret: Buffer, keyId: string, purpose: string, bytes: number) =>
  createSecretKey(Buffer.from(hkdfSync('sm3', secret, Buffer.alloc(0), `sdp/v1/${purpose}/${keyId}`, bytes)))

/** Derives a key's purpose keys from its id and secret (32–128 hex digits). */
export function deriveDataKey(id: string, secretHex: string): DataKey {
  if (!DATA_KEY_ID_RE.test(id)) throw new DataKeyError(`data key id must match ${DATA_KEY_ID_RE}`)
  if (!new RegExp(`^${SECRET}$`).test(secretHex)) throw new DataKeyError('a data key secret must be 32–128 hex digits')
  const secret = Buffer.from(secretHex, 'hex')
  return {
    id,
    cipherKey: derive(secret, id, 'sm4-cbc', 16),
    macKey: derive(secret, id, 'sm3-hmac-tag', 32),
    indexKey: derive(secret, id, 'sm3-hmac-blind-index', 32),
    secretHex: secretHex.toLowerCase(),
  }
}

export class DataKeyring {
  readonly current: DataKey
  readonly #byId: ReadonlyMap<string, DataKey>

  constructor(keys: readonly DataKey[]) {
    const [current] = keys
    if (!current) throw new DataKeyError('a data keyring needs at least one key')
    const byId = new Map<string, DataKey>()
    for (const key of keys) {
      if (byId.has(key.id)) throw new DataKeyError(`data key id ${key.id} appears twice`)
      byId.set(key.id, key)
    }
    this.current = current
    this.#byId = byId
  }

  /** The key with this id, if the ring holds it. */
  get(id: string): DataKey | undefined {
    return this.#byId.get(id)
  }

  /** Every key, the current one first. */
  get keys(): DataKey[] {
    return [...this.#byId.values()]
  }
}

/** Parses DATA_ENCRYPTION_KEY. The message of a refusal never contains the secret. */
export function parseDataKeyring(text: string): DataKeyring {
  const entries = text.split(',').map((e) => e.trim())
  const keys = entries.map((entry, i) => {
    const m = ENTRY_RE.exec(entry)
    if (!m) throw new DataKeyError(`entry ${i + 1} of the keyring is not ${DATA_KEYRING_FORMAT}`)
    return deriveDataKey(m[1] ?? fingerprintId(m[2]!), m[2]!)
  })
  return new DataKeyring(keys)
}

/** The id of an entry given without one: `k` + the first 8 hex digits of the SM3 of the secret (not of a derived key). */
const fingerprintId = (secretHex: string) =>
  `k${createHash('sm3').update('sdp/v1/key-id/').update(Buffer.from(secretHex, 'hex')).digest('hex').slice(0, 8)}`

/** A fresh keyring entry, `<keyId>:<64 random hex digits>`: what demo mode stores at first start, or a new key to rotate to. */
export function generateDataEncryptionKey(keyId = 'k1'): string {
  if (!DATA_KEY_ID_RE.test(keyId)) throw new DataKeyError(`data key id must match ${DATA_KEY_ID_RE}`)
  return `${keyId}:${randomBytes(32).toString('hex')}`
}

/**
 * The keyring for a process: DATA_ENCRYPTION_KEY, or, unset, the development key — only under NODE_ENV=test or
 * development. Anywhere else a missing key stops the process (demo mode generates one at first start).
 */
export function dataKeyringFromEnv(env: { NODE_ENV: string; DATA_ENCRYPTION_KEY?: string | undefined }): DataKeyring {
  if (env.DATA_ENCRYPTION_KEY) return parseDataKeyring(env.DATA_ENCRYPTION_KEY)
  if (env.NODE_ENV === 'test' || env.NODE_ENV === 'development') return parseDataKeyring(DEV_DATA_ENCRYPTION_KEY)
  throw new DataKeyError(`DATA_ENCRYPTION_KEY: must be set (${DATA_KEYRING_FORMAT}) when NODE_ENV is ${env.NODE_ENV}`)
}

let processKeyring: DataKeyring | undefined

/** Sets the keyring of this process (server and CLI, at boot, from the validated environment). */
export function useDataKeyring(keyring: DataKeyring): void {
  processKeyring = keyring
}

/**
 * The keyring of this process. Unset (a test, a bench, a script that never booted through server.ts or the CLI):
 * the development key, only under NODE_ENV test or development (unset counts as development, as in platform/env.ts).
 */
export function getDataKeyring(): DataKeyring {
  processKeyring ??= dataKeyringFromEnv({
    NODE_ENV: process.env.NODE_ENV || 'development',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY || undefined,
  })
  return processKeyring
}
