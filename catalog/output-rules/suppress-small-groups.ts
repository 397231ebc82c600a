import type { SensitivityLevel } from '#db/schema/catalog.ts'
import { ok, type Result } from '#platform/result.ts'
import { checkOutput, MIN_GROUP_SIZE } from './output-rules.ts'

export interface SuppressedGroups<G> {
  groups: G[]
  /** How many groups were withheld (never which). */
  suppressed: number
  /** The threshold applied. */
  k: number
}

/**
 * Aggregate groups over data of `level`, with every group that describes fewer than k units withheld. `k` is at
 * least the level's minimum (10 at L3); pass a larger one to be stricter. Refused at L4 (`output_not_permitted`).
 */
export function suppressSmallGroups<G>(
  level: SensitivityLevel,
  groups: readonly G[],
  unitsOf: (group: G) => number,
  opts: { k?: number } = {},
): Result<SuppressedGroups<G>> {
  const allowed = checkOutput(level, 'aggregate')
  if (!allowed.ok) return allowed
  const k = Math.max(opts.k ?? MIN_GROUP_SIZE, allowed.value.minGroupSize)
  const kept = groups.filter((g) => unitsOf(g) >= k)
  return ok({ groups: kept, suppressed: groups.length - kept.length, k })
}
