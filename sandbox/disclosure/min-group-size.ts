import type { SensitivityLevel } from '#db/schema/catalog.ts'
import { MIN_GROUP_SIZE, OUTPUT_RULES } from '#catalog/output-rules/output-rules.ts'

/**
 * The smallest group the sandbox releases, by the strictest level of the datasets a query reads (ADR 0038). Never below
 * the catalog's output rules (10 at L3) nor the platform's default k = 10; stricter at L3, because a sandbox lets a
 * partner combine filters freely where a product answers one fixed question. L4 releases no aggregate at all.
 */
export const SANDBOX_MIN_GROUP_SIZE: Readonly<Record<SensitivityLevel, number>> = {
  L1: Math.max(MIN_GROUP_SIZE, OUTPUT_RULES.L1.minGroupSize),
  L2: Math.max(MIN_GROUP_SIZE, OUTPUT_RULES.L2.minGroupSize),
  L3: Math.max(2 * MIN_GROUP_SIZE, OUTPUT_RULES.L3.minGroupSize),
  L4: OUTPUT_RULES.L4.minGroupSize,
}

export const minGroupSizeFor = (level: SensitivityLevel): number => SANDBOX_MIN_GROUP_SIZE[level]

/** Stable code of a group withheld because it describes fewer than k units. */
export const MIN_GROUP_SIZE_CODE = 'min_group_size'

/** Keeps the groups describing at least k units; the others are withheld whole (only their number is told). */
export function suppressSmallGroups<G>(
  groups: readonly G[],
  unitsOf: (group: G) => number,
  k: number,
): { kept: G[]; suppressed: number } {
  const kept = groups.filter((g) => unitsOf(g) >= k)
  return { kept, suppressed: groups.length - kept.length }
}
