/**
 * Differencing protection (ADR 0038). Two released results of the same shape (datasets, joins, group-by) whose filters
 * differ can be subtracted: if a group's count changed by fewer than k units, the difference describes fewer than k
 * subjects — a small group released by the back door. Such a query is refused with `differencing_risk`, unless it asks
 * for differential privacy, whose noise (paid from the budget) covers exactly this attack.
 */
export const DIFFERENCING_CODE = 'differencing_risk'

/** Group key → the true number of units the released group described. */
export type GroupUnits = ReadonlyMap<string, number>

export interface EarlierRelease {
  jobId: string
  groups: GroupUnits
}

export interface DifferencingRisk {
  jobId: string
  group: string
  difference: number
}

/** The first earlier release sharing a group whose units differ from now by 1 … k − 1, or null. */
export function findDifferencingRisk(
  current: GroupUnits,
  earlier: readonly EarlierRelease[],
  k: number,
): DifferencingRisk | null {
  for (const job of earlier) {
    for (const [group, units] of current) {
      const before = job.groups.get(group)
      if (before === undefined) continue
      const difference = Math.abs(units - before)
      if (difference > 0 && difference < k) return { jobId: job.jobId, group, difference }
    }
  }
  return null
}
