import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import { EncodingError, FileTextDecoder, findInvalidUtf8, SNIFF_BYTES } from './decode-file-text.ts'

const CSV_ZH =
  '统一社会信用代码,企业名称,法定代表人,地址\n91210102MA0QW8R76J,沈阳盛京智能科技有限公司,张伟,沈阳市和平区南京北街\n'

/** Decodes `bytes` fed in the pieces `cuts` splits them into. */
function decodeInPieces(bytes: Uint8Array, cuts: number[] = []) {
  const decoder = new FileTextDecoder()
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  let text = ''
  let from = 0
  for (const at of [...points, bytes.length]) {
    text += decoder.write(bytes.subarray(from, at))
    from = at
  }
  text += decoder.end()
  return { text, encoding: decoder.recordedEncoding }
}

function refusal(bytes: Uint8Array): EncodingError {
  try {
    decodeInPieces(bytes)
  } catch (error) {
    if (error instanceof EncodingError) return error
    throw error
  }
  throw new Error('decoded without refusal')
}

describe('the encoding of a dataset file', () => {
  it('reads UTF-8 with or without a BOM, wherever the chunks split a character', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (bom, cuts) => {
        const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(CSV_ZH)])
        expect(decodeInPieces(bytes, cuts)).toEqual({ text: CSV_ZH, encoding: 'utf-8' })
      }),
    )
  })

  it('reads GB18030 (and so GBK) Chinese text as GB18030, in any chunking', () => {
    const bytes = iconv.encode(CSV_ZH.repeat(20), 'gb18030')
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
        expect(decodeInPieces(bytes, cuts)).toEqual({ text: CSV_ZH.repeat(20), encoding: 'gb18030' })
      }),
    )
  })

  it('decides at the first non-ASCII byte, however much ASCII comes first', () => {
    const ascii = 'code,name\n' + 'A1,plain ascii line\n'.repeat(Math.ceil((2 * SNIFF_BYTES) / 20))
    const bytes = Buffer.concat([Buffer.from(ascii), iconv.encode('B2,沈阳市和平区\n'.repeat(10), 'gbk')])
    expect(decodeInPieces(bytes, [1000, 70_000])).toEqual({
      text: ascii + 'B2,沈阳市和平区\n'.repeat(10),
      encoding: 'gb18030',
    })
    expect(decodeInPieces(Buffer.from(ascii)).encoding).toBe('utf-8')
  })

  it('reads UTF-16 with a byte-order mark, little- and big-endian', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV_ZH, 'utf16le')])
    const be = Buffer.from(le)
    be.swap16()
    expect(decodeInPieces(le, [3, 7])).toEqual({ text: CSV_ZH, encoding: 'utf-16le' })
    expect(decodeInPieces(be, [3, 8])).toEqual({ text: CSV_ZH, encoding: 'utf-16be' })
  })

  it('refuses Big5 and Latin-1 text by name instead of loading it garbled as GB18030', () => {
    const big5 = iconv.encode('統一社會信用代碼,企業名稱,法定代表人,地址\n瀋陽盛京智能科技有限公司,張偉,瀋陽市和平區\n', 'big5')
    const latin1 = Buffer.from('name,city\nMüller,Zürich\nGarçon,Besançon\nÉlodie,Orléans\nJürgen,Köln\nSøren,Århus\n', 'latin1')
    for (const bytes of [big5, latin1]) {
      const error = refusal(bytes)
      expect(error.message).toMatch(/neither UTF-8 .* nor GB18030/)
      expect(error.message).toContain('save it as UTF-8 or GB18030')
    }
  })

  it('refuses a file that changes encoding after the first bytes decided it, naming the offset', () => {
    const head = Buffer.from('code,name\nA,张伟\n')
    const bytes = Buffer.concat([head, Buffer.from('x'.repeat(SNIFF_BYTES * 2)), iconv.encode('B,李娜\n', 'gbk')])
    const error = refusal(bytes)
    expect(error.message).toMatch(/not valid UTF-8/)
    expect(error.byteOffset).toBe(head.length + SNIFF_BYTES * 2 + 2)
  })

  it('refuses NUL bytes (UTF-16 without a BOM, binary files) and UTF-32', () => {
    expect(refusal(Buffer.from('code,name\n', 'utf16le')).message).toMatch(/NUL byte at offset 1/)
    expect(refusal(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])).message).toMatch(/UTF-32/)
    expect(refusal(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])).message).toMatch(
      /NUL byte|neither UTF-8/,
    )
  })

  it('agrees with the platform UTF-8 decoder on what is valid UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let isValid = true
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes)
        } catch {
          isValid = false
        }
        expect(findInvalidUtf8(bytes, true) < 0).toBe(isValid)
      }),
    )
  })
})
