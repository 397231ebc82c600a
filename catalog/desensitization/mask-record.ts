import type { PiTag, SensitivityLevel } from '#db/schema/catalog.ts'
import { MASK_RULES } from './mask-rules.ts'
import { DEFAULT_MASKING_POLICY, effectiveAction, type MaskAction, type MaskingPolicy } from './masking-policy.ts'

/** A dataset field as the catalog registers it (dataset_fields): its name and personal-data tag, if any. */
export interface TaggedField {
  name: string
  piTag: PiTag | null
}

export type RecordValue = string | number | boolean | null

export interface MaskedValue {
  value: RecordValue
  /** True when the value was changed (masked or withheld): one unit of the `fields_masked` meter (Art. 22). */
  masked: boolean
}

/**
 * Applies `action` to one value of a field tagged `tag`. Null, undefined and empty values count as not masked. An ID,
 * phone or bank-card number is never kept, whatever the action says (ADR 0037).
 */
export function maskValue(tag: PiTag, value: RecordValue | undefined, requested: MaskAction): MaskedValue {
  if (value === null || value === undefined || value === '') return { value: value ?? null, masked: false }
  const action = effectiveAction(tag, requested)
  if (action === 'keep') return { value, masked: false }
  if (action === 'redact') return { value: null, masked: true }
  const text = String(value)
  const out = MASK_RULES[tag](text)
  return { value: out, masked: out !== text }
}

export interface MaskRecordOptions {
  level: SensitivityLevel
  policy?: MaskingPolicy
}

export interface MaskedRecord<T> {
  record: T
  /** How many values were masked or withheld. */
  fieldsMasked: number
}

/**
 * Masks the tagged fields of one record per the policy for its dataset's level. Fields not named in `fields`, and
 * untagged fields, are copied unchanged.
 */
export function maskRecord<T extends Record<string, RecordValue>>(
  record: T,
  fields: readonly TaggedField[],
  opts: MaskRecordOptions,
): MaskedRecord<T> {
  const policy = (opts.policy ?? DEFAULT_MASKING_POLICY)[opts.level]
  const out: Record<string, RecordValue> = { ...record }
  let fieldsMasked = 0
  for (const field of fields) {
    if (!field.piTag || !(field.name in record)) continue
    const result = maskValue(field.piTag, record[field.name], policy[field.piTag])
    out[field.name] = result.value
    if (result.masked) fieldsMasked++
  }
  return { record: out as T, fieldsMasked }
}

/** maskRecord over many records; `fieldsMasked` is the total. */
export function maskRecords<T extends Record<string, RecordValue>>(
  records: readonly T[],
  fields: readonly TaggedField[],
  opts: MaskRecordOptions,
): { records: T[]; fieldsMasked: number } {
  let fieldsMasked = 0
  const out = records.map((r) => {
    const m = maskRecord(r, fields, opts)
    fieldsMasked += m.fieldsMasked
    return m.record
  })
  return { records: out, fieldsMasked }
}
