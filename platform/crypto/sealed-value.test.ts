import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DataKeyError,
  DataKeyring,
  DEV_DATA_ENCRYPTION_KEY,
  dataKeyringFromEnv,
  deriveDataKey,
  generateDataEncryptionKey,
  parseDataKeyring,
} from './data-keyring.ts'
import { blindIndex, blindIndexCandidates, matchesBlindIndex } from './blind-index.ts'
import { isSealedValue, openValue, resealValue, sealValue, sealedKeyIdOf, SealedValueError } from './sealed-value.ts'

const K1 = `k1:${'a1'.repeat(32)}`
const K2 = `k2:${'b2'.repeat(32)}`
const ID = '210102197803154312'
const CONTEXT = 'city_enterprises.legal_rep_id_card'

/** Replaces the character at `at` with another one of the base64url alphabet. */
const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)

function problemOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof SealedValueError) return error.problem
    throw error
  }
  return 'opened'
}

describe('sealed values (SM4-CBC + SM3-HMAC)', () => {
  const ring = parseDataKeyring(K1)

  it('round-trips any text, and never stores it in clear', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (plain) => {
        const sealed = sealValue(ring, plain, CONTEXT)
        expect(sealed).toMatch(/^sm4:v1:k1:[\w-]{22}:[\w-]+:[\w-]{22}$/)
        expect(openValue(ring, sealed, CONTEXT)).toBe(plain)
        // The clear text must not show through: its UTF-8 bytes are absent from the ciphertext, and the text
        // itself from the stored string. Short texts are skipped: any two or three characters turn up in random
        // base64 by chance (a 2-character text does in ~2 % of seals), which would make the property flaky.
        const bytes = Buffer.from(plain, 'utf8')
        if (bytes.length >= 6) expect(Buffer.from(sealed.split(':')[4]!, 'base64url').includes(bytes)).toBe(false)
        if (plain.length >= 6) expect(sealed).not.toContain(plain)
      }),
    )
    for (const plain of [ID, '13998765432', '陈建国', '阿卜杜·热合曼'])
      expect(openValue(ring, sealValue(ring, plain, CONTEXT), CONTEXT)).toBe(plain)
  })

  it('seals the same value differently each time (random IV), in whole blocks whatever its length', () => {
    const a = sealValue(ring, ID, CONTEXT)
    const b = sealValue(ring, ID, CONTEXT)
    expect(a).not.toBe(b)
    const ciphertextOf = (s: string) => Buffer.from(s.split(':')[4]!, 'base64url').length
    expect(ciphertextOf(sealValue(ring, '张三', CONTEXT))).toBe(16)
    expect(ciphertextOf(sealValue(ring, '13998765432', CONTEXT))).toBe(16)
    expect(ciphertextOf(a)).toBe(32)
  })

  it('detects tampering with any part: key id, IV, ciphertext, tag', () => {
    const sealed = sealValue(ring, ID, CONTEXT)
    const [, , , iv, ciphertext] = sealed.split(':') as string[]
    const ivAt = 'sm4:v1:k1:'.length
    const ciphertextAt = ivAt + iv!.length + 1
    const tagAt = ciphertextAt + ciphertext!.length + 1
    expect(problemOf(() => openValue(ring, flip(sealed, ivAt + 3), CONTEXT))).toBe('tampered')
    expect(problemOf(() => openValue(ring, flip(sealed, ciphertextAt + 5), CONTEXT))).toBe('tampered')
    expect(problemOf(() => openValue(ring, flip(sealed, tagAt + 1), CONTEXT))).toBe('tampered')
    expect(problemOf(() => openValue(ring, sealed.slice(0, -2), CONTEXT))).toBe('tampered')
    // A whole block cut off the ciphertext (CBC would still decrypt the rest): the tag covers it.
    const cut = sealed.split(':')
    cut[4] = Buffer.from(cut[4]!, 'base64url').subarray(16).toString('base64url')
    expect(problemOf(() => openValue(ring, cut.join(':'), CONTEXT))).toBe('tampered')
    // The tag binds the column: a sealed phone number copied into the ID column is refused.
    expect(problemOf(() => openValue(ring, sealed, 'city_enterprises.legal_rep_phone'))).toBe('tampered')
    expect(problemOf(() => openValue(ring, 'sm4:v1:k1:only:four', CONTEXT))).toBe('malformed')
    expect(problemOf(() => openValue(ring, ID, CONTEXT))).toBe('malformed')
  })

  it('refuses a value under a key id the ring does not hold, and one whose key id was rewritten', () => {
    const sealed = sealValue(ring, ID, CONTEXT)
    expect(problemOf(() => openValue(parseDataKeyring(K2), sealed, CONTEXT))).toBe('unknown_key')
    // Same secret under another id: the derived keys differ, so the tag does not match.
    const renamed = parseDataKeyring(`k3:${'a1'.repeat(32)},${K2}`)
    expect(problemOf(() => openValue(renamed, sealed.replace('sm4:v1:k1:', 'sm4:v1:k3:'), CONTEXT))).toBe('tampered')
    // Same id, another secret: the tag does not match either.
    expect(problemOf(() => openValue(parseDataKeyring(`k1:${'c3'.repeat(32)}`), sealed, CONTEXT))).toBe('tampered')
  })

  it('rotates: a ring with a new current key reads old values and re-seals them under the new key, once', () => {
    const old = sealValue(ring, ID, CONTEXT)
    const rotated = parseDataKeyring(`${K2},${K1}`)
    expect(openValue(rotated, old, CONTEXT)).toBe(ID)
    const resealed = resealValue(rotated, old, CONTEXT)!
    expect(sealedKeyIdOf(resealed)).toBe('k2')
    expect(openValue(rotated, resealed, CONTEXT)).toBe(ID)
    expect(resealValue(rotated, resealed, CONTEXT)).toBeNull()
    // Once k1 is dropped from the ring, only the re-sealed value still opens.
    const after = parseDataKeyring(K2)
    expect(openValue(after, resealed, CONTEXT)).toBe(ID)
    expect(problemOf(() => openValue(after, old, CONTEXT))).toBe('unknown_key')
    // A value stored in clear by an earlier version is sealed by the rotation too.
    const sealedPlain = resealValue(after, ID, CONTEXT)!
    expect(isSealedValue(sealedPlain) && openValue(after, sealedPlain, CONTEXT)).toBe(ID)
  })
})

describe('blind indexes (SM3-HMAC)', () => {
  const ring = parseDataKeyring(K1)

  it('are equal for equal normalised values, and name their key', () => {
    expect(blindIndex(ring, 'id_card', '21010219780315431x')).toBe(blindIndex(ring, 'id_card', ' 21010219780315431X'))
    expect(blindIndex(ring, 'name', '阿卜杜 • 热合曼')).toBe(blindIndex(ring, 'name', '阿卜杜·热合曼'))
    expect(blindIndex(ring, 'id_card', ID)).toMatch(/^k1:[0-9a-f]{32}$/)
    expect(blindIndex(ring, 'id_card', ID)).not.toBe(blindIndex(ring, 'id_card', '210102197803154320'))
    // Kinds are separated: a name that happens to equal an ID number indexes differently.
    expect(blindIndex(ring, 'name', ID)).not.toBe(blindIndex(ring, 'id_card', ID))
  })

  it('depend on the key, and compare under the key the stored index names', () => {
    const rotated = parseDataKeyring(`${K2},${K1}`)
    const underK1 = blindIndex(ring, 'id_card', ID)
    expect(blindIndex(rotated, 'id_card', ID)).not.toBe(underK1)
    expect(matchesBlindIndex(rotated, underK1, 'id_card', ID)).toBe(true)
    expect(matchesBlindIndex(rotated, underK1, 'id_card', '210102197803154320')).toBe(false)
    expect(blindIndexCandidates(rotated, 'id_card', ID)).toEqual([blindIndex(rotated, 'id_card', ID), underK1])
    expect(matchesBlindIndex(parseDataKeyring(K2), underK1, 'id_card', ID)).toBe(false)
    expect(matchesBlindIndex(ring, 'garbage', 'id_card', ID)).toBe(false)
  })

  it('use a key of their own: the index key is neither the cipher key nor the tag key', () => {
    const key = ring.current
    const exported = [key.cipherKey, key.macKey, key.indexKey].map((k) => k.export().toString('hex'))
    expect(new Set(exported).size).toBe(3)
    expect(exported[0]).toHaveLength(32)
  })
})

describe('the keyring', () => {
  it('parses DATA_ENCRYPTION_KEY, current key first, and never echoes a secret in its refusals', () => {
    const ring = parseDataKeyring(`${K2}, ${K1}`)
    expect(ring.current.id).toBe('k2')
    expect(ring.keys.map((k) => k.id)).toEqual(['k2', 'k1'])
    for (const bad of ['k1', `k1:${'a1'.repeat(15)}`, `K1:${'a1'.repeat(32)}`, `${K1},${K1}`, `k:1:${'a1'.repeat(32)}`]) {
      let message = ''
      try {
        parseDataKeyring(bad)
      } catch (error) {
        expect(error).toBeInstanceOf(DataKeyError)
        message = (error as Error).message
      }
      expect(message).not.toBe('')
      expect(message).not.toContain('a1a1a1')
    }
    expect(() => new DataKeyring([])).toThrow(DataKeyError)
    expect(() => deriveDataKey('k1', 'zz')).toThrow(DataKeyError)
  })

  it('takes a bare secret (what demo mode generates) and names it by its fingerprint, the same every time', () => {
    const secret = 'f0'.repeat(16)
    const ring = parseDataKeyring(secret)
    expect(ring.current.id).toMatch(/^k[0-9a-f]{8}$/)
    expect(parseDataKeyring(`${K2},${secret}`).get(ring.current.id)).toBeDefined()
    expect(parseDataKeyring(secret).current.id).toBe(ring.current.id)
    expect(parseDataKeyring('0f'.repeat(16)).current.id).not.toBe(ring.current.id)
    expect(() => parseDataKeyring('f0'.repeat(15))).toThrow(DataKeyError)
    expect(() => parseDataKeyring('f'.repeat(33))).toThrow(DataKeyError)
  })

  it('generates fresh keys that parse', () => {
    const a = generateDataEncryptionKey('k7')
    expect(a).toMatch(/^k7:[0-9a-f]{64}$/)
    expect(a).not.toBe(generateDataEncryptionKey('k7'))
    expect(parseDataKeyring(a).current.id).toBe('k7')
  })

  it('falls back to the development key only under NODE_ENV test or development', () => {
    expect(dataKeyringFromEnv({ NODE_ENV: 'test' }).current.id).toBe('dev-only-test')
    expect(dataKeyringFromEnv({ NODE_ENV: 'development' }).current.id).toBe('dev-only-test')
    // Named like the other development defaults, which platform/env.ts refuses outside demo mode.
    expect(DEV_DATA_ENCRYPTION_KEY.startsWith('dev-only-')).toBe(true)
    expect(() => dataKeyringFromEnv({ NODE_ENV: 'production' })).toThrow(/DATA_ENCRYPTION_KEY/)
    expect(dataKeyringFromEnv({ NODE_ENV: 'production', DATA_ENCRYPTION_KEY: K1 }).current.id).toBe('k1')
  })
})
