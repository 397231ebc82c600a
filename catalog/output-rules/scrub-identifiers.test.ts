import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  bankCardNumberArb,
  findUnmaskedIdentifiers,
  identifierArb,
  identityNumberArb,
  mobileNumberArb,
  stringsOf,
} from '#test/support/identifiers.ts'
import {
  isBankCardNumber,
  isIdentityNumber,
  isMobileNumber,
  scrubIdentifiers,
  scrubIdentifiersDeep,
} from './scrub-identifiers.ts'

const text = fc.string({ unit: 'grapheme', maxLength: 20 })

describe('scrubIdentifiers: no ID, mobile or bank-card number leaves unmasked (ADR 0037)', () => {
  it('the test detectors see what they must (so the properties below can fail)', () => {
    expect(findUnmaskedIdentifiers('身份证210102199001011237，手机13912345678。')).toEqual([
      'id 210102199001011237',
      'mobile 13912345678',
    ])
    expect(findUnmaskedIdentifiers('卡号 6222021234567890128, tel13900001111')).toHaveLength(2)
    expect(findUnmaskedIdentifiers('req_ab13912345678cd0123456789abcdef0123 210102********1237 139****5678')).toEqual([])
  })

  it('recognises what it masks', () => {
    fc.assert(
      fc.property(identityNumberArb, mobileNumberArb, bankCardNumberArb, (id, mobile, card) => {
        expect(isIdentityNumber(id)).toBe(true)
        expect(isMobileNumber(mobile)).toBe(true)
        expect(isBankCardNumber(card)).toBe(true)
      }),
    )
    expect(isIdentityNumber('210102199002301234')).toBe(false) // 30 February
    expect(isIdentityNumber('210102199001011238')).toBe(false) // check digit
    expect(isBankCardNumber('6222021234567890125')).toBe(false) // Luhn
  })

  it('masks every planted number, whatever text surrounds it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, identifierArb), { minLength: 1, maxLength: 4 }), text, (parts, tail) => {
        const input = parts.map(([before, id]) => `${before} ${id} `).join('') + tail
        const { text: out, scrubbed } = scrubIdentifiers(input)
        expect(findUnmaskedIdentifiers(out)).toEqual([])
        expect(scrubbed).toBeGreaterThanOrEqual(parts.length)
        for (const [, id] of parts) expect(out).not.toContain(id)
      }),
    )
  })

  it('leaves text without such numbers exactly as it was', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        fc.pre(findUnmaskedIdentifiers(s).length === 0)
        expect(scrubIdentifiers(s)).toEqual({ text: s, scrubbed: 0 })
      }),
    )
    const id = 'req_0193a6b8c1d27f3e9a4b5c6d7e8f9012'
    expect(scrubIdentifiers(id).text).toBe(id)
    expect(scrubIdentifiers('91210102MA0QW8R76J').text).toBe('91210102MA0QW8R76J')
  })

  it('walks JSON: every string and key, never a number, and returns the same object when nothing is found', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), identifierArb, (json, id) => {
        const value = { data: JSON.parse(json) as unknown, note: `联系 ${id}`, [id]: 13912345678 }
        const out = scrubIdentifiersDeep(value).value
        for (const s of stringsOf(out)) expect(findUnmaskedIdentifiers(s)).toEqual([])
        expect(Object.values(out).includes(13912345678)).toBe(true)
      }),
    )
    const clean = { a: [1, 'two', { three: null }] }
    expect(scrubIdentifiersDeep(clean).value).toBe(clean)
  })
})
