import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { JsonFileError, JsonRecordsParser, type ParsedElement } from './parse-json-records.ts'

/** Parses `text` fed in the pieces `cuts` splits it into. */
function parseInPieces(text: string, cuts: number[] = []): ParsedElement[] {
  const parser = new JsonRecordsParser()
  const out: ParsedElement[] = []
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const at of [...points, text.length]) {
    parser.write(text.slice(from, at), (e) => out.push(e))
    from = at
  }
  parser.end((e) => out.push(e))
  return out
}

function failure(text: string): JsonFileError {
  try {
    parseInPieces(text)
  } catch (error) {
    if (error instanceof JsonFileError) return error
    throw error
  }
  throw new Error('parsed without an error')
}

const hasUnsafeInteger = (v: unknown): boolean =>
  typeof v === 'number'
    ? Number.isInteger(v) && !Number.isSafeInteger(v)
    : Array.isArray(v)
      ? v.some(hasUnsafeInteger)
      : v !== null && typeof v === 'object'
        ? Object.values(v).some(hasUnsafeInteger)
        : false

describe('the streaming JSON reader', () => {
  it('reads any JSON array as JSON.parse does, however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 8 }).filter((v) => !hasUnsafeInteger(v)),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom(0, 2),
        (value, cuts, indent) => {
          const text = JSON.stringify(value, null, indent)
          const elements = parseInPieces(text, cuts)
          expect(elements.map((e) => e.value)).toEqual(JSON.parse(text))
          expect(elements.map((e) => e.row)).toEqual(value.map((_, i) => i + 1))
          expect(elements.flatMap((e) => e.problems)).toEqual([])
        },
      ),
    )
  })

  it('refuses what JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (tail) => {
        const text = `[${tail}`
        let isValid = true
        try {
          isValid = Array.isArray(JSON.parse(text))
        } catch {
          isValid = false
        }
        if (isValid) return
        expect(() => parseInPieces(text)).toThrow(JsonFileError)
      }),
    )
  })

  it('reports a key repeated in a record (JSON.parse would keep the last silently)', () => {
    const elements = parseInPieces('[{"a":1,"b":2},{"a":1,"a":2},{"n":{"x":1,"x":2}}]')
    expect(elements.map((e) => e.problems)).toEqual([
      [],
      [{ field: 'a', problem: 'duplicate_key', value: 'a' }],
      [{ field: 'n', problem: 'duplicate_key', value: 'x' }],
    ])
  })

  it('keeps __proto__ a plain key: no prototype is set and nothing is polluted', () => {
    const [element] = parseInPieces('[{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}]')
    const record = element!.value as Record<string, unknown>
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(record)).toBeNull()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('keeps the digits of an integer too large for a double', () => {
    const [element] = parseInPieces('[{"id":210102199001011234,"n":12,"x":1.5e3}]')
    expect(element!.value).toEqual({ id: '210102199001011234', n: 12, x: 1500 })
  })

  it('refuses deep nesting by row, without recursion', () => {
    const error = failure(`[{"a":1},{"b":${'['.repeat(100_000)}`)
    expect(error.message).toMatch(/record 2 nests deeper than 32 levels/)
    expect(error).toMatchObject({ row: 2, problem: 'too_deep' })
  })

  it('refuses a file that is not an array, is cut off, or goes on after the array', () => {
    expect(failure('{"code":"A"}').message).toMatch(/must hold an array of records, not a single object/)
    expect(failure('"text"').message).toMatch(/must hold an array/)
    expect(failure('[{"a":1},{"b"').message).toMatch(/ends before its array is closed/)
    expect(failure('[{"a":1}] [').message).toMatch(/unexpected data after the array/)
    expect(failure('   ').message).toMatch(/empty/)
  })

  it('refuses a record larger than its limit while it is still arriving', () => {
    const parser = new JsonRecordsParser({ maxRecordChars: 1000 })
    parser.write('[{"a":"', () => undefined)
    expect(() => parser.write('x'.repeat(2000), () => undefined)).toThrow(/record 1 is larger than 1000 characters/)
  })
})
