/**
 * Differencing protection (ADR 0038). Two released results of the same shape (datasets, joins, group-by) whose filters
 * differ can be subtracted: if the populations behind a group differ by fewer than k units (the symmetric difference of
 * the two filters' subjects in that group), the difference of the counts describes a small group released by the back
 * door. Such a query is refused with `differencing_risk`, unless it asks for differential privacy, whose noise (paid
 * from the budget) covers exactly this attack.
 *
 * Two steps: the counts alone (pure, free) clear most pairs — the symmetric difference is at least the difference of
 * the counts, so a count difference of k or more is safe; the pairs they cannot clear are measured in SQL
 * (`compileSymmetricDifference`): a group whose populations differ by 1 … k − 1 units refuses the query.
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

/** One group of the symmetric-difference query: units only in the new query's population, only in the earlier one's. */
export interface GroupDifference {
  group: string
  aOnly: number
  bOnly: number
}

/**
 * The first group released by both jobs whose populations differ by 1 … k − 1 units, or null. Groups the earlier
 * release did not contain (withheld, or absent) are not compared: nothing was released to subtract from.
 */
export function findSymmetricDifferenceRisk(
  differences: readonly GroupDifference[],
  current: GroupUnits,
  earlier: GroupUnits,
  k: number,
): GroupDifference | null {
  for (const d of differences) {
    if (!current.has(d.group) || !earlier.has(d.group)) continue
    const size = d.aOnly + d.bOnly
    if (size > 0 && size < k) return d
  }
  return null
}
