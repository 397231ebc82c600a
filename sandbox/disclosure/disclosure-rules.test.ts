import { describe, expect, it } from 'vitest'
import { MIN_GROUP_SIZE, OUTPUT_RULES } from '#catalog/output-rules/output-rules.ts'
import { findDifferencingRisk, findSymmetricDifferenceRisk } from './differencing.ts'
import { isDominated } from './dominance.ts'
import { minGroupSizeFor, SANDBOX_MIN_GROUP_SIZE, suppressSmallGroups } from './min-group-size.ts'

describe('minimum group size', () => {
  it('is at least k = 10 and the catalog’s output rule at every level, stricter at L3, none at L4', () => {
    for (const level of ['L1', 'L2', 'L3'] as const) {
      expect(SANDBOX_MIN_GROUP_SIZE[level]).toBeGreaterThanOrEqual(MIN_GROUP_SIZE)
      expect(SANDBOX_MIN_GROUP_SIZE[level]).toBeGreaterThanOrEqual(OUTPUT_RULES[level].minGroupSize)
    }
    expect(minGroupSizeFor('L1')).toBe(10)
    expect(minGroupSizeFor('L2')).toBe(10)
    expect(minGroupSizeFor('L3')).toBe(20)
    expect(minGroupSizeFor('L4')).toBe(Number.POSITIVE_INFINITY)
  })

  it('withholds exactly the groups under k, telling only how many', () => {
    const groups = [{ n: 9 }, { n: 10 }, { n: 0 }, { n: 11 }, { n: 1 }]
    const { kept, suppressed } = suppressSmallGroups(groups, (g) => g.n, 10)
    expect(kept).toEqual([{ n: 10 }, { n: 11 }])
    expect(suppressed).toBe(3)
  })
})

describe('dominance (n = 2, k = 85%)', () => {
  it('withholds a sum the two largest contributors make up more than 85% of', () => {
    expect(isDominated(86, 100)).toBe(true)
    expect(isDominated(851, 1000)).toBe(true)
    expect(isDominated(85, 100)).toBe(false)
    expect(isDominated(50, 100)).toBe(false)
    // A single contributor is all of its group's sum.
    expect(isDominated(7, 7)).toBe(true)
  })

  it('has nothing to say of an empty or zero total', () => {
    expect(isDominated(0, 0)).toBe(false)
    expect(isDominated(0, -1)).toBe(false)
  })

  it('compares big integers exactly (no division)', () => {
    expect(isDominated(85_000_000_000_001, 100_000_000_000_000)).toBe(true)
    expect(isDominated(85_000_000_000_000, 100_000_000_000_000)).toBe(false)
  })
})

describe('differencing', () => {
  const earlier = [
    {
      jobId: 'a',
      groups: new Map([
        ['["210102"]', 50],
        ['["210103"]', 80],
      ]),
    },
    { jobId: 'b', groups: new Map([['["210104"]', 30]]) },
  ]

  it('refuses a group that differs from an earlier release by 1 … k − 1 units', () => {
    expect(findDifferencingRisk(new Map([['["210102"]', 49]]), earlier, 10)).toEqual({
      jobId: 'a',
      group: '["210102"]',
      difference: 1,
    })
    expect(findDifferencingRisk(new Map([['["210104"]', 39]]), earlier, 10)).toEqual({
      jobId: 'b',
      group: '["210104"]',
      difference: 9,
    })
  })

  it('lets through the same count, a difference of k or more, and groups never released', () => {
    expect(findDifferencingRisk(new Map([['["210102"]', 50]]), earlier, 10)).toBeNull()
    expect(findDifferencingRisk(new Map([['["210102"]', 40]]), earlier, 10)).toBeNull()
    expect(findDifferencingRisk(new Map([['["210105"]', 12]]), earlier, 10)).toBeNull()
    expect(findDifferencingRisk(new Map([['["210102"]', 49]]), [], 10)).toBeNull()
  })
})

describe('differencing, measured: the symmetric difference of the two populations per group', () => {
  const now = new Map([
    ['["210102"]', 40],
    ['["210103"]', 35],
  ])
  const before = new Map([
    ['["210102"]', 41],
    ['["210103"]', 30],
  ])

  it('refuses a group whose populations differ by 1 … k − 1 units, however the counts compare', () => {
    // One enterprise left out: 41 → 40.
    expect(findSymmetricDifferenceRisk([{ group: '["210102"]', aOnly: 0, bOnly: 1 }], now, before, 10)).toMatchObject({
      bOnly: 1,
    })
    // Three swapped for three others: the counts are equal, the populations differ by 6.
    expect(findSymmetricDifferenceRisk([{ group: '["210102"]', aOnly: 3, bOnly: 3 }], now, before, 10)).not.toBeNull()
  })

  it('lets through disjoint or widely different populations, identical ones, and groups not released in both', () => {
    expect(findSymmetricDifferenceRisk([{ group: '["210102"]', aOnly: 40, bOnly: 41 }], now, before, 10)).toBeNull()
    expect(findSymmetricDifferenceRisk([{ group: '["210103"]', aOnly: 0, bOnly: 0 }], now, before, 10)).toBeNull()
    expect(findSymmetricDifferenceRisk([{ group: '["210104"]', aOnly: 1, bOnly: 0 }], now, before, 10)).toBeNull()
    expect(findSymmetricDifferenceRisk([{ group: '["210102"]', aOnly: 5, bOnly: 5 }], now, before, 10)).toBeNull()
  })
})
