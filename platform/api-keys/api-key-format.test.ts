import { describe, expect, it } from 'vitest'
import {
  API_KEY_LENGTH,
  apiKeyFromBody,
  displayPrefixOf,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
} from './api-key-format.ts'

describe('API key format', () => {
  it('generates well-formed, distinct keys with the sdp_ prefix', () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey())
    for (const { key, hash, displayPrefix } of keys) {
      expect(key).toHaveLength(API_KEY_LENGTH)
      expect(key.startsWith('sdp_')).toBe(true)
      expect(isWellFormedApiKey(key)).toBe(true)
      expect(hash).toBe(hashApiKey(key))
      expect(hash).toMatch(/^[0-9a-f]{64}$/)
      expect(displayPrefix).toBe(key.slice(0, 12))
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(200)
  })

  it('rejects any single-character typo through the checksum', () => {
    const { key } = generateApiKey()
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
    let caught = 0
    let tried = 0
    for (let i = 4; i < key.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(key[i]!) + 1) % 62]
      const typo = key.slice(0, i) + replacement + key.slice(i + 1)
      tried++
      if (!isWellFormedApiKey(typo)) caught++
    }
    expect(caught).toBe(tried)
  })

  it('rejects wrong length, prefix and characters', () => {
    const { key } = generateApiKey()
    expect(isWellFormedApiKey(key.slice(0, -1))).toBe(false)
    expect(isWellFormedApiKey('sk_' + key.slice(3))).toBe(false)
    expect(isWellFormedApiKey(key.slice(0, 10) + '-' + key.slice(11))).toBe(false)
    expect(isWellFormedApiKey('')).toBe(false)
  })

  it('builds the demo key deterministically', () => {
    const a = apiKeyFromBody('DemoKeyShenyangPublicData2026xyz')
    expect(a).toEqual(apiKeyFromBody('DemoKeyShenyangPublicData2026xyz'))
    expect(isWellFormedApiKey(a.key)).toBe(true)
    expect(displayPrefixOf(a.key)).toBe('sdp_DemoKeyS')
    expect(() => apiKeyFromBody('short')).toThrow()
  })
})
