import { describe, expect, it } from 'vitest'
import { computeCapYear, costInYear, costsOfYear, industrialShare, type CapCostEntry } from './cap-arithmetic.ts'

const entry = (e: Partial<CapCostEntry>): CapCostEntry => ({
  period: '2030-01',
  category: 'compute',
  supply: 'shared',
  netFen: 0,
  amortizationYears: null,
  ...e,
})

describe('cap arithmetic (ADR 0036)', () => {
  it('amortizes platform construction month by month from its period, the remainder to the first months', () => {
    // 1,000,003 fen over 1 year from 2030-07: 83,333 a month + 7 fen to the first 7 months; 6 months in 2030.
    const e = entry({ period: '2030-07', category: 'platform_construction', netFen: 1_000_003, amortizationYears: 1 })
    expect(costInYear(e, 2030)).toBe(6 * 83_333 + 6)
    expect(costInYear(e, 2031)).toBe(6 * 83_333 + 1)
    expect(costInYear(e, 2030) + costInYear(e, 2031)).toBe(1_000_003)
    expect(costInYear(e, 2029)).toBe(0)
    expect(costInYear(e, 2032)).toBe(0)
    // Anything else counts whole in its month's year.
    expect(costInYear(entry({ period: '2030-12', netFen: 5 }), 2030)).toBe(5)
    expect(costInYear(entry({ period: '2030-12', netFen: 5 }), 2031)).toBe(0)
  })

  it('sorts a year’s costs by supply', () => {
    const c = costsOfYear(
      [
        entry({ supply: 'industrial', category: 'staff', netFen: 100 }),
        entry({ supply: 'shared', netFen: 200 }),
        entry({ supply: 'public_interest', category: 'operations_maintenance', netFen: 300 }),
        entry({ period: '2031-01', supply: 'industrial', netFen: 999 }),
      ],
      2030,
    )
    expect(c).toMatchObject({ industrialFen: 100, sharedFen: 200, publicInterestFen: 300, amortizedFen: 0 })
    expect(c.byCategory).toEqual({ staff: 100, compute: 200, operations_maintenance: 300 })
  })

  it('allocates shared cost by the industrial share of calls, and none when nothing was called', () => {
    expect(industrialShare(1, 3)).toBe('0.333333')
    expect(industrialShare(0, 0)).toBe('0')
    const base = { profitRate: '0', taxRate: '0', paidRevenueFen: 0, carriedInFen: 0 }
    const costs = { industrialFen: 10, sharedFen: 1000, publicInterestFen: 5000, byCategory: {}, amortizedFen: 0 }
    expect(computeCapYear({ ...base, costs, industrialCalls: 1, publicInterestCalls: 2 })).toMatchObject({
      industrialShare: '0.333333',
      allocatedSharedFen: 333,
      operatingCostFen: 343,
    })
    expect(computeCapYear({ ...base, costs, industrialCalls: 0, publicInterestCalls: 0 }).operatingCostFen).toBe(10)
  })

  it('warns at exactly 80% and 100%, and carries a deduction the year could not absorb', () => {
    const costs = { industrialFen: 1000, sharedFen: 0, publicInterestFen: 0, byCategory: {}, amortizedFen: 0 }
    const year = (paid: number, carriedIn = 0) =>
      computeCapYear({
        costs,
        industrialCalls: 1,
        publicInterestCalls: 0,
        profitRate: '0',
        taxRate: '0',
        paidRevenueFen: paid,
        carriedInFen: carriedIn,
      })
    expect(year(799).reached).toBeNull()
    expect(year(800)).toMatchObject({ reached: 80, usedShare: '0.8' })
    expect(year(999).reached).toBe(80)
    expect(year(1000)).toMatchObject({ reached: 100, excessFen: 0 })
    expect(year(1001)).toMatchObject({ reached: 100, excessFen: 1 })
    // 1,500 carried in against a gross of 1,000: maximum 0, 500 carried on, plus anything paid.
    expect(year(0, 1500)).toMatchObject({ maximumFen: 0, excessFen: 500, reached: null })
    expect(year(20, 1500)).toMatchObject({ maximumFen: 0, excessFen: 520, reached: 100 })
  })
})
