import { describe, expect, it } from 'vitest'
import { USCC_CHARSET, explainUscc, isValidUscc, makeUscc, orgCodeCheckChar, usccCheckChar } from './uscc.ts'

// Hand-worked examples (values: digits 0-9, then A=10 … Y=30 in the 31-char alphabet).
//
// 9144030071526726XG (深圳市腾讯计算机系统有限公司, public registration):
//   org code 71526726: 7·3+1·7+5·9+2·10+6·5+7·8+2·4+6·2 = 199; 199 mod 11 = 1; 11−1 = 10 → 'X'
//   USCC: 9·1+1·3+4·9+4·27+0·19+3·26+0·16+0·17+7·20+1·29+5·25+2·13+6·8+7·24+2·10+6·30+X(29)·28
//         = 1782; 1782 mod 31 = 15; 31−15 = 16 → 'G'
// 914403001922038216 (华为技术有限公司):
//   org code 19220382: 3+63+18+20+0+24+32+4 = 164; 164 mod 11 = 10; 11−10 = 1 → '1'
//   USCC sum = 831; 831 mod 31 = 25; 31−25 = 6 → '6'
// 91350100M000100Y43 (the worked example printed in GB 32100-2015):
//   org code M000100Y: 22·3+1·5+34·2 = 139; 139 mod 11 = 7; 11−7 = 4 → '4'
//   USCC sum = 1640; 1640 mod 31 = 28; 31−28 = 3 → '3'
// makeUscc('9','1','210102','12345678'):
//   org code 12345678: 3+14+27+40+25+48+28+16 = 201; 201 mod 11 = 3; 11−3 = 8 → '8'
//   USCC 91210102123456788: sum = 1040; 1040 mod 31 = 17; 31−17 = 14 → 'E'
const REAL = ['9144030071526726XG', '914403001922038216', '91350100M000100Y43']

describe('usccCheckChar', () => {
  it('matches the hand-computed check chars', () => {
    expect(usccCheckChar('9144030071526726X')).toBe('G')
    expect(usccCheckChar('91440300192203821')).toBe('6')
    expect(usccCheckChar('91350100M000100Y4')).toBe('3')
    expect(usccCheckChar('91210102123456788')).toBe('E')
  })
  it('maps a zero remainder to "0" (not to the 32nd char)', () => {
    // 17 zeros: sum 0 → (31 − 0) mod 31 = 0
    expect(usccCheckChar('00000000000000000')).toBe('0')
  })
  it('throws on the wrong length or a char outside the alphabet', () => {
    expect(() => usccCheckChar('9144030071526726')).toThrow(RangeError)
    expect(() => usccCheckChar('9144030071526726I')).toThrow(RangeError)
  })
})

describe('orgCodeCheckChar (GB 11714)', () => {
  it('computes digits, 10 → X and 11 → 0', () => {
    expect(orgCodeCheckChar('19220382')).toBe('1')
    expect(orgCodeCheckChar('71526726')).toBe('X')
    expect(orgCodeCheckChar('00000000')).toBe('0')
    expect(orgCodeCheckChar('M000100Y')).toBe('4')
    expect(orgCodeCheckChar('12345678')).toBe('8')
  })
  it('returns null for a malformed body', () => {
    expect(orgCodeCheckChar('1234567')).toBeNull()
    expect(orgCodeCheckChar('1234567a')).toBeNull()
  })
})

describe('isValidUscc', () => {
  it('accepts the real-world examples', () => {
    for (const c of REAL) expect(isValidUscc(c), c).toBe(true)
  })
  it('rejects every single-character substitution of a valid code', () => {
    // Weights are all non-zero and 31 is prime, so any one-char change breaks the check.
    for (const code of REAL) {
      for (let i = 0; i < 18; i++) {
        for (const c of USCC_CHARSET) {
          if (c === code[i]) continue
          const mutated = code.slice(0, i) + c + code.slice(i + 1)
          expect(isValidUscc(mutated), mutated).toBe(false)
        }
      }
    }
  })
  it('rejects a swap of two adjacent different chars', () => {
    expect(isValidUscc('9144030071526726GX')).toBe(false)
    expect(isValidUscc('9144030017526726XG')).toBe(false)
  })
  it('rejects bad lengths, lower case, forbidden letters and non-strings without throwing', () => {
    expect(isValidUscc('')).toBe(false)
    expect(isValidUscc('9144030071526726X')).toBe(false)
    expect(isValidUscc('9144030071526726XG0')).toBe(false)
    expect(isValidUscc('9144030071526726xg')).toBe(false)
    expect(isValidUscc('91350100M000100Y4I')).toBe(false)
    expect(isValidUscc(' 9144030071526726X')).toBe(false)
    expect(isValidUscc(undefined as unknown as string)).toBe(false)
    expect(isValidUscc(123 as unknown as string)).toBe(false)
  })
})

describe('explainUscc', () => {
  it('splits a valid code into its parts', () => {
    expect(explainUscc('9144030071526726XG')).toEqual({
      valid: true,
      registrationAuthority: '9',
      orgType: '1',
      divisionCode: '440300',
      organizationCode: '71526726X',
      organizationCodeValid: true,
      checkChar: 'G',
      expectedCheckChar: 'G',
    })
  })
  it('reports length, then charset with a position, then check digit', () => {
    expect(explainUscc('91440300')).toEqual({ valid: false, reason: 'length' })
    expect(explainUscc('9144030O71526726XG')).toEqual({ valid: false, reason: 'charset', position: 8 })
    const bad = explainUscc('9144030071526726XH')
    expect(bad).toMatchObject({ valid: false, reason: 'check_digit', checkChar: 'H', expectedCheckChar: 'G' })
    expect(bad.divisionCode).toBe('440300')
  })
  it('flags (without failing) an embedded organisation code whose own check is wrong', () => {
    const first17 = '91210102123456789' // org check should be 8
    const code = first17 + usccCheckChar(first17)
    expect(explainUscc(code)).toMatchObject({ valid: true, organizationCodeValid: false })
  })
})

describe('makeUscc', () => {
  it('builds the hand-computed Shenyang example', () => {
    const code = makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210102', orgCodeBody8: '12345678' })
    expect(code).toBe('91210102123456788E')
    expect(isValidUscc(code)).toBe(true)
  })
  it('reproduces the real codes from their parts', () => {
    expect(makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '440300', orgCodeBody8: '71526726' })).toBe(
      '9144030071526726XG',
    )
    expect(makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '350100', orgCodeBody8: 'M000100Y' })).toBe(
      '91350100M000100Y43',
    )
  })
  it('always yields a valid code with a valid embedded organisation code', () => {
    for (let n = 0; n < 2000; n++) {
      const body = String((n * 7919 + 12345) % 100_000_000).padStart(8, '0')
      const code = makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210106', orgCodeBody8: body })
      const e = explainUscc(code)
      expect(e.valid && e.organizationCodeValid, code).toBe(true)
    }
  })
  it('throws on malformed parts', () => {
    const base = { registrationAuthority: '9', orgType: '1', divisionCode: '210102', orgCodeBody8: '12345678' }
    expect(() => makeUscc({ ...base, divisionCode: '21010' })).toThrow(RangeError)
    expect(() => makeUscc({ ...base, orgCodeBody8: '1234567' })).toThrow(RangeError)
    expect(() => makeUscc({ ...base, orgCodeBody8: '1234567I' })).toThrow(RangeError)
    expect(() => makeUscc({ ...base, registrationAuthority: '' })).toThrow(RangeError)
    expect(() => makeUscc({ ...base, orgType: 'Z' })).toThrow(RangeError)
  })
})
