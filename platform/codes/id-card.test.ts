import { describe, expect, it } from 'vitest'
import { idCardCheckChar, isRealDate, isValidIdCard, makeIdCard } from './id-card.ts'

// Hand-worked examples (weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2; map "10X98765432"[sum mod 11]):
// 11010519491231002X (the example printed in GB 11643-1999):
//   7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → 'X'
// 440524188001010014 (the other GB 11643 example):
//   28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 → '4'
// 21010219800101123? (沈阳市和平区, born 1980-01-01, sequence 123):
//   14+9+0+5+0+8+2+9+48+0+0+9+0+5+8+8+6 = 131; 131 mod 11 = 10 → '2'
const REAL = ['11010519491231002X', '440524188001010014', '210102198001011232']

describe('idCardCheckChar', () => {
  it('matches the hand-computed check chars', () => {
    expect(idCardCheckChar('11010519491231002')).toBe('X')
    expect(idCardCheckChar('44052418800101001')).toBe('4')
    expect(idCardCheckChar('21010219800101123')).toBe('2')
  })
  it('maps remainder 0 to "1" (17 zeros)', () => {
    expect(idCardCheckChar('00000000000000000')).toBe('1')
  })
  it('throws on malformed input', () => {
    expect(() => idCardCheckChar('1101051949123100')).toThrow(RangeError)
    expect(() => idCardCheckChar('1101051949123100X')).toThrow(RangeError)
  })
})

describe('isRealDate', () => {
  it('knows month lengths and leap years', () => {
    expect(isRealDate('20000229')).toBe(true) // divisible by 400
    expect(isRealDate('19000229')).toBe(false) // divisible by 100 only
    expect(isRealDate('19960229')).toBe(true)
    expect(isRealDate('19970229')).toBe(false)
    expect(isRealDate('19800431')).toBe(false)
    expect(isRealDate('19801231')).toBe(true)
    expect(isRealDate('19801301')).toBe(false)
    expect(isRealDate('19800100')).toBe(false)
  })
})

describe('isValidIdCard', () => {
  it('accepts the real-format examples', () => {
    for (const c of REAL) expect(isValidIdCard(c), c).toBe(true)
  })
  it('rejects every single-character change of a valid number', () => {
    // Each weight is coprime with 11, so changing one digit changes sum mod 11;
    // a changed check char obviously fails too. Some changes also break the date.
    for (const code of REAL) {
      for (let i = 0; i < 18; i++) {
        for (const c of '0123456789X') {
          if (c === code[i]) continue
          const mutated = code.slice(0, i) + c + code.slice(i + 1)
          expect(isValidIdCard(mutated), mutated).toBe(false)
        }
      }
    }
  })
  it('rejects a correct check char on an impossible birth date', () => {
    const first17 = '21010219810229123' // 1981 is not a leap year
    expect(isValidIdCard(first17 + idCardCheckChar(first17))).toBe(false)
    const month13 = '21010219801301123'
    expect(isValidIdCard(month13 + idCardCheckChar(month13))).toBe(false)
  })
  it('rejects wrong lengths, lower-case x, letters and non-strings without throwing', () => {
    expect(isValidIdCard('')).toBe(false)
    expect(isValidIdCard('11010519491231002')).toBe(false)
    expect(isValidIdCard('11010519491231002X0')).toBe(false)
    expect(isValidIdCard('11010519491231002x')).toBe(false)
    expect(isValidIdCard('1101051949123100AX')).toBe(false)
    expect(isValidIdCard(null as unknown as string)).toBe(false)
  })
})

describe('makeIdCard', () => {
  it('builds the hand-computed Shenyang example', () => {
    expect(makeIdCard({ divisionCode: '210102', birth: '19800101', sequence3: '123' })).toBe('210102198001011232')
  })
  it('zero-pads a numeric sequence', () => {
    expect(makeIdCard({ divisionCode: '110105', birth: '19491231', sequence3: 2 })).toBe('11010519491231002X')
  })
  it('always yields a valid number', () => {
    for (let seq = 0; seq < 1000; seq++) {
      const id = makeIdCard({ divisionCode: '210181', birth: '19720615', sequence3: seq })
      expect(isValidIdCard(id), id).toBe(true)
    }
  })
  it('throws on malformed parts', () => {
    expect(() => makeIdCard({ divisionCode: '21010', birth: '19800101', sequence3: '123' })).toThrow(RangeError)
    expect(() => makeIdCard({ divisionCode: '210102', birth: '19800230', sequence3: '123' })).toThrow(RangeError)
    expect(() => makeIdCard({ divisionCode: '210102', birth: '19800101', sequence3: 1000 })).toThrow(RangeError)
  })
})
