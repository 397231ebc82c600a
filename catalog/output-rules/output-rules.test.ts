import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { TaggedField } from '#catalog/desensitization/mask-record.ts'
import { checkOutput, MIN_GROUP_SIZE, strictestLevel } from './output-rules.ts'
import { shapeRecord } from './shape-record.ts'
import { suppressSmallGroups } from './suppress-small-groups.ts'

const FIELDS: TaggedField[] = [
  { name: 'person_name', piTag: 'name' },
  { name: 'id_card', piTag: 'id_card' },
  { name: 'amount_fen', piTag: null },
]
const ROW = { person_name: '王小明', id_card: '210102199001011234', amount_fen: 120000 }

describe('output rules by level', () => {
  it('L1 gives records as they are, but never an ID number (masked at every level, ADR 0037)', () => {
    const shaped = shapeRecord('L1', ROW, FIELDS)
    expect(shaped).toEqual({ ok: true, value: { record: { ...ROW, id_card: '210102********1234' }, fieldsMasked: 1 } })
  })

  it('L2 gives records with the personal fields masked', () => {
    const shaped = shapeRecord('L2', ROW, FIELDS)
    expect(shaped.ok && shaped.value).toEqual({
      record: { person_name: '王*', id_card: '210102********1234', amount_fen: 120000 },
      fieldsMasked: 2,
    })
  })

  it('L3 and L4 give no records at all', () => {
    for (const level of ['L3', 'L4'] as const) {
      const shaped = shapeRecord(level, ROW, FIELDS)
      expect(shaped.ok).toBe(false)
      if (!shaped.ok) expect(shaped.error.code).toBe('output_not_permitted')
    }
  })

  it('L3 allows verdicts, scores and aggregates; L4 only verdicts and scores', () => {
    expect(['record', 'aggregate', 'verdict', 'score'].map((k) => checkOutput('L3', k as never).ok)).toEqual([
      false,
      true,
      true,
      true,
    ])
    expect(['record', 'aggregate', 'verdict', 'score'].map((k) => checkOutput('L4', k as never).ok)).toEqual([
      false,
      false,
      true,
      true,
    ])
  })

  it('takes the strictest level of several', () => {
    expect(strictestLevel(['L2', 'L1'])).toBe('L2')
    expect(strictestLevel(['L2', 'L4', 'L3'])).toBe('L4')
    expect(strictestLevel([])).toBe('L1')
  })
})

describe('suppressSmallGroups', () => {
  const groups = [
    { key: 'a', n: 9 },
    { key: 'b', n: 10 },
    { key: 'c', n: 250 },
    { key: 'd', n: 1 },
  ]

  it('withholds groups of fewer than k = 10 units at L3, and says how many (not which)', () => {
    const result = suppressSmallGroups('L3', groups, (g) => g.n)
    expect(result).toEqual({ ok: true, value: { groups: [groups[1], groups[2]], suppressed: 2, k: MIN_GROUP_SIZE } })
  })

  it('never lowers k below the level minimum, but accepts a stricter one', () => {
    const lower = suppressSmallGroups('L3', groups, (g) => g.n, { k: 2 })
    expect(lower.ok && lower.value.k).toBe(10)
    const stricter = suppressSmallGroups('L2', groups, (g) => g.n, { k: 100 })
    expect(stricter.ok && stricter.value.groups).toEqual([groups[2]])
  })

  it('refuses aggregates over L4 data', () => {
    const result = suppressSmallGroups('L4', groups, (g) => g.n)
    expect(result.ok).toBe(false)
  })

  it('never keeps a group below k, for any sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 40 })),
        fc.constantFrom('L1', 'L2', 'L3') as fc.Arbitrary<'L1' | 'L2' | 'L3'>,
        (sizes, level) => {
          const result = suppressSmallGroups(level, sizes, (n) => n)
          if (!result.ok) throw new Error('refused')
          expect(result.value.groups.every((n) => n >= 10)).toBe(true)
          expect(result.value.groups.length + result.value.suppressed).toBe(sizes.length)
        },
      ),
    )
  })
})
