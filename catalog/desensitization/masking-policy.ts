import { PI_TAGS, SENSITIVITY_LEVELS, type PiTag, type SensitivityLevel } from '#db/schema/catalog.ts'

/**
 * What happens to a tagged field's value at a level:
 * `keep` — as is; `mask` — the tag's rule (mask-rules.ts); `redact` — the value is withheld (null).
 */
export type MaskAction = 'keep' | 'mask' | 'redact'

export type MaskingPolicy = Readonly<Record<SensitivityLevel, Readonly<Record<PiTag, MaskAction>>>>

/**
 * Identity numbers, phone numbers and bank-card numbers leave the platform masked at every level, L1 included
 * (ADR 0037): no policy can keep them. `createMaskingPolicy` turns a `keep` into `mask`, and `maskValue` masks a
 * `keep` for these tags even from a policy object built by hand.
 */
export const ALWAYS_MASKED_TAGS: readonly PiTag[] = ['id_card', 'phone', 'bank_card']

export const isAlwaysMasked = (tag: PiTag): boolean => ALWAYS_MASKED_TAGS.includes(tag)

/** The action that applies: never `keep` for an always-masked tag. */
export const effectiveAction = (tag: PiTag, action: MaskAction): MaskAction =>
  action === 'keep' && isAlwaysMasked(tag) ? 'mask' : action

const all = (action: MaskAction): Record<PiTag, MaskAction> =>
  Object.fromEntries(PI_TAGS.map((tag) => [tag, effectiveAction(tag, action)])) as Record<PiTag, MaskAction>

/**
 * The platform's default, matching the output rules (catalog/output-rules/): L1 data goes out as is (but for the
 * always-masked tags, and no dataset with personal fields is graded L1: the floor of ADR 0037); L2 personal
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
    SENSITIVITY_LEVELS.map((level) => {
      const merged = { ...base[level], ...overrides[level] } as Record<PiTag, MaskAction>
      for (const tag of PI_TAGS) merged[tag] = effectiveAction(tag, merged[tag])
      return [level, merged]
    }),
  ) as unknown as MaskingPolicy
}
