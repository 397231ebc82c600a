import { PI_TAGS, SENSITIVITY_LEVELS, type PiTag, type SensitivityLevel } from '#db/schema/catalog.ts'

/**
 * What happens to a tagged field's value at a level:
 * `keep` — as is; `mask` — the tag's rule (mask-rules.ts); `redact` — the value is withheld (null).
 */
export type MaskAction = 'keep' | 'mask' | 'redact'

export type MaskingPolicy = Readonly<Record<SensitivityLevel, Readonly<Record<PiTag, MaskAction>>>>

const all = (action: MaskAction): Record<PiTag, MaskAction> =>
  Object.fromEntries(PI_TAGS.map((tag) => [tag, action])) as Record<PiTag, MaskAction>

/**
 * The platform's default, matching the output rules (catalog/output-rules/): L1 data goes out as is; L2 personal
 * fields are masked; L3 and L4 records never leave the platform, so a tagged value that reached a record anyway
 * is withheld rather than masked.
 */
export const DEFAULT_MASKING_POLICY: MaskingPolicy = {
  L1: all('keep'),
  L2: all('mask'),
  L3: all('redact'),
  L4: all('redact'),
}

export type MaskingPolicyOverrides = Partial<Record<SensitivityLevel, Partial<Record<PiTag, MaskAction>>>>

/** The default policy with some (level, tag) actions replaced, e.g. `{ L1: { phone: 'mask' } }`. */
export function createMaskingPolicy(
  overrides: MaskingPolicyOverrides,
  base: MaskingPolicy = DEFAULT_MASKING_POLICY,
): MaskingPolicy {
  return Object.fromEntries(
    SENSITIVITY_LEVELS.map((level) => [level, { ...base[level], ...overrides[level] }]),
  ) as unknown as MaskingPolicy
}
