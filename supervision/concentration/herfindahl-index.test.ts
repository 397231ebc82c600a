import { describe, expect, it } from 'vitest'
import { herfindahlIndex } from './herfindahl-index.ts'

describe('herfindahlIndex', () => {
  it('is the sum of squared percentage shares: 50/30/20 → 3,800', () => {
    const { hhi, shares } = herfindahlIndex([
      { key: 'a', amount: 500 },
      { key: 'b', amount: 300 },
      { key: 'c', amount: 200 },
    ])
    expect(hhi).toBe(3800)
    expect(shares.map((s) => s.sharePercent)).toEqual([50, 30, 20])
  })
  it('is 10,000 for a monopoly and null for an empty market', () => {
    expect(
      herfindahlIndex([
        { key: 'a', amount: 7 },
        { key: 'b', amount: 0 },
      ]).hhi,
    ).toBe(10000)
    expect(herfindahlIndex([]).hhi).toBeNull()
  })
  it('is exact for thirds (3,333.33), not a sum of rounded shares', () => {
    expect(herfindahlIndex([1, 1, 1].map((amount, i) => ({ key: i, amount }))).hhi).toBe(3333.33)
  })
})
