/**
 * The (n, k) dominance rule with n = 2, k = 85% (ADR 0038): a sum (or an average, which reveals the sum with the count)
 * is withheld for a group where the two largest contributors make up more than 85% of the group's total, since either
 * of them could then estimate the other's value closely. Contributions are absolute values per subject.
 */
export const DOMINANCE_N = 2
export const DOMINANCE_SHARE_PERCENT = 85

/** Stable code of a cell withheld by the dominance rule. */
export const DOMINANCE_CODE = 'dominance'

/** Whether the top-n contributors' total dominates the group's total. Integers compared exactly (no division). */
export function isDominated(topN: number, total: number): boolean {
  if (!(total > 0)) return false
  return topN * 100 > DOMINANCE_SHARE_PERCENT * total
}
