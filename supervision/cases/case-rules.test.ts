import { describe, expect, it } from 'vitest'
import { checkText, sniffEvidenceType } from './case-rules.ts'

const bytes = (...b: number[]) => Uint8Array.from(b)
const text = (s: string) => new TextEncoder().encode(s)

describe('sniffEvidenceType', () => {
  it('knows PDF, PNG and JPEG by their first bytes', () => {
    expect(sniffEvidenceType(text('%PDF-1.7\n'))).toBe('application/pdf')
    expect(sniffEvidenceType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('image/png')
    expect(sniffEvidenceType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg')
  })
  it('refuses everything else, whatever it claims to be', () => {
    for (const hostile of [
      text('<html><script>alert(1)</script>'),
      text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      text(' %PDF-1.7'),
      text('%PDF'),
      bytes(0x89, 0x50, 0x4e, 0x47),
      bytes(0xff, 0xd8),
      bytes(0x50, 0x4b, 0x03, 0x04),
      bytes(),
    ])
      expect(sniffEvidenceType(hostile)).toBeNull()
  })
})

describe('checkText', () => {
  it('trims, requires and limits', () => {
    expect(checkText('  a  ', 'f', 3, true)).toEqual({ text: 'a' })
    expect(checkText('   ', 'f', 3, true).error).toEqual({ field: 'f', code: 'required' })
    expect(checkText(null, 'f', 3, false)).toEqual({ text: null })
    expect(checkText('abcd', 'f', 3, false).error).toEqual({ field: 'f', code: 'too_long' })
  })
})
