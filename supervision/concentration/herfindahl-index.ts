import { Decimal } from '#billing/money/decimal.ts'

/** Common practice (U.S. merger guidelines 2010/2023, SAMR's own studies): above 2,500 a market is highly concentrated. */
export const DEFAULT_HHI_THRESHOLD = 2500

export interface ShareOf<K> {
  key: K
  amount: number
  /** Percent of the total, 2 decimals (display); the index is computed from the exact fractions. */
  sharePercent: number
}

/**
 * The Herfindahl–Hirschman index of a market: the sum of the squared percentage shares, 0–10,000 (10,000: one
 * partner holds everything). Computed exactly (10,000 · Σaᵢ² / (Σaᵢ)², decimal) and rounded half-up to 2 decimals
 * once; an empty market has no index (null).
 */
export function herfindahlIndex<K>(amounts: { key: K; amount: number }[]): { hhi: number | null; shares: ShareOf<K>[] } {
  const positive = amounts.filter((a) => a.amount > 0)
  const total = positive.reduce((sum, a) => sum.plus(a.amount), new Decimal(0))
  if (total.isZero()) return { hhi: null, shares: [] }
  const squares = positive.reduce((sum, a) => sum.plus(new Decimal(a.amount).pow(2)), new Decimal(0))
  const hhi = squares.times(10_000).dividedBy(total.pow(2)).toDecimalPlaces(2).toNumber()
  const shares = positive
    .map((a) => ({
      key: a.key,
      amount: a.amount,
      sharePercent: new Decimal(a.amount).times(100).dividedBy(total).toDecimalPlaces(2).toNumber(),
    }))
    .sort((x, y) => y.amount - x.amount)
  return { hhi, shares }
}
