import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { normaliseValue, validateRows, type FieldSpec } from './validate-rows.ts'
import { parseDatasetFile } from './parse-dataset-file.ts'

const fields: FieldSpec[] = [
  { name: 'code', type: 'string', required: true },
  { name: 'n', type: 'integer', required: false },
  { name: 'x', type: 'number', required: false },
  { name: 'ok', type: 'boolean', required: false },
  { name: 'd', type: 'date', required: false },
  { name: 'at', type: 'datetime', required: false },
]

describe('row validation against the field list', () => {
  it('normalises CSV text to the field types', () => {
    const result = validateRows(
      [{ code: 'A', n: ' 42 ', x: '-1.5e2', ok: 'TRUE', d: '2024-02-29', at: '2026-10-31 08:00' }],
      fields,
    )
    expect(result.problems).toEqual([])
    expect(result.rows).toEqual([{ code: 'A', n: 42, x: -150, ok: true, d: '2024-02-29', at: Date.UTC(2026, 9, 31, 0) }])
  })

  it('reads datetimes with an offset, Z, or as epoch ms', () => {
    expect(normaliseValue('datetime', '2026-10-31T00:00:00Z')).toEqual({ ok: true, value: Date.UTC(2026, 9, 31) })
    expect(normaliseValue('datetime', '2026-10-31T09:00:00+09:00')).toEqual({ ok: true, value: Date.UTC(2026, 9, 31) })
    expect(normaliseValue('datetime', 1_761_868_800_000)).toEqual({ ok: true, value: 1_761_868_800_000 })
    expect(normaliseValue('datetime', '2026-10-31T25:00')).toEqual({ ok: false, problem: 'not_datetime' })
  })

  it('reports every problem with its row and rejects all rows when one is bad', () => {
    const result = validateRows([{ code: 'A' }, { code: '', n: '1.5' }, 'oops', { code: 'B', extra: 1 }], fields)
    expect(result.rows).toEqual([])
    expect(result.badRows).toBe(3)
    expect(result.problems).toEqual([
      { row: 2, field: 'code', problem: 'required' },
      { row: 2, field: 'n', problem: 'not_integer', value: '1.5' },
      { row: 3, field: '', problem: 'not_an_object', value: 'oops' },
      { row: 4, field: 'extra', problem: 'unknown_field' },
    ])
  })

  it('caps the report but still counts every problem', () => {
    const result = validateRows(
      Array.from({ length: 50 }, () => ({ n: 'x' })),
      fields,
      { maxProblems: 10 },
    )
    expect(result.problems).toHaveLength(10)
    expect(result.problemCount).toBe(100)
    expect(result.badRows).toBe(50)
  })

  it('accepts any safe integer and refuses any non-integer number, as text or as a number', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(normaliseValue('integer', String(n))).toEqual({ ok: true, value: n })
        expect(normaliseValue('integer', n)).toEqual({ ok: true, value: n })
      }),
    )
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
        (x) => {
          expect(normaliseValue('integer', x)).toEqual({ ok: false, problem: 'not_integer' })
        },
      ),
    )
  })

  it('parses CSV with a BOM and JSON arrays; refuses a JSON object', () => {
    const csv = parseDatasetFile('a.csv', '\uFEFFcode,n\nA,1\n')
    expect(csv).toEqual({ ok: true, format: 'csv', rows: [{ code: 'A', n: '1' }] })
    expect(parseDatasetFile('a.json', '[{"code":"A"}]')).toEqual({ ok: true, format: 'json', rows: [{ code: 'A' }] })
    expect(parseDatasetFile('upload', '  [{"code":"A"}]').format).toBe('json')
    expect(parseDatasetFile('a.json', '{"code":"A"}').ok).toBe(false)
  })
})
