import type { SensitivityLevel } from '#db/schema/catalog.ts'
import { maskRecord, type MaskedRecord, type RecordValue, type TaggedField } from '#catalog/desensitization/mask-record.ts'
import type { MaskingPolicy } from '#catalog/desensitization/masking-policy.ts'
import { ok, type Result } from '#platform/result.ts'
import { checkOutput } from './output-rules.ts'

/**
 * One record of a dataset of `level`, shaped for output: L1 as is (per the policy, which keeps L1 values by
 * default), L2 with its personal fields masked, L3 and L4 refused (`output_not_permitted`).
 */
export function shapeRecord<T extends Record<string, RecordValue>>(
  level: SensitivityLevel,
  record: T,
  fields: readonly TaggedField[],
  policy?: MaskingPolicy,
): Result<MaskedRecord<T>> {
  const allowed = checkOutput(level, 'record')
  if (!allowed.ok) return allowed
  return ok(maskRecord(record, fields, { level, policy }))
}
