import { describe, expect, it } from 'vitest'
import { checkPasswordPolicy, generatePassword } from './password.ts'
import { isCommonPassword } from './common-passwords.ts'

describe('password rules (GB/T 22239 level 3)', () => {
  it('wants at least 12 characters from at least 3 of the 4 classes', () => {
    expect(checkPasswordPolicy('Sh0rt!pass')).toBe('password_too_short')
    expect(checkPasswordPolicy('alllowercaseletters')).toBe('password_too_simple')
    expect(checkPasswordPolicy('lowercase-and-symbols')).toBe('password_too_simple')
    expect(checkPasswordPolicy('Tiexi-Bridge-Lantern')).toBeNull() // upper, lower, symbol
    expect(checkPasswordPolicy('tiexi7bridge9lantern!')).toBeNull() // lower, digit, symbol
    expect(checkPasswordPolicy('x'.repeat(201))).toBe('password_too_long')
  })

  it('refuses a password containing the username', () => {
    expect(checkPasswordPolicy('Operator-2026-Spring', { username: 'operator' })).toBe('password_contains_username')
    expect(checkPasswordPolicy('Spring-2026-Hunhe!', { username: 'operator' })).toBeNull()
  })

  it('refuses common passwords from the shipped list, also decorated to pass the class rules', () => {
    for (const common of ['Password@2026', 'P@ssw0rd1234', 'Qwertyuiop123!', 'Woaini1314!!', '!!Sunshine2026', 'Admin@123456']) {
      expect(checkPasswordPolicy(common), common).toBe('password_common')
    }
    expect(isCommonPassword('123456')).toBe(true)
    expect(isCommonPassword('shenyang')).toBe(true)
    expect(isCommonPassword('Tiexi-Bridge-Lantern')).toBe(false)
  })

  it('generates initial passwords that meet the rules', () => {
    for (let i = 0; i < 50; i++) expect(checkPasswordPolicy(generatePassword(), { username: 'zhang.san' })).toBeNull()
  })
})
