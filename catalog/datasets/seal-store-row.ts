import type { PiTag } from '#db/schema/catalog.ts'
import { recordFieldContext, SEALED_PI_TAGS, sealedColumnsOf } from '#db/sealed-columns.ts'
import { blindIndexWithKey, type BlindIndexKind } from '#platform/crypto/blind-index.ts'
import { deriveDataKey, type DataKey } from '#platform/crypto/data-keyring.ts'
import { sealWithKey } from '#platform/crypto/sealed-value.ts'

// Which fields of a dataset's rows are stored sealed, and sealing them (docs/decisions/0019-sm4-personal-data-at-rest.md):
// - a typed store table (city_*): its natural-person columns, a schema fact (db/sealed-columns.ts), with their blind
//   indexes;
// - the generic store (dataset_records): every field the registration tags as personal (all tags but `uscc`, the
//   public code of a legal person), inside the row's JSON.
// The intake worker seals as it scans (off the main thread); a table reload or an interface pull seals on insert.

/** A field stored sealed for `context`; with `index`, its blind index goes into that column too. */
export interface SealedField {
  name: string
  context: string
  index?: { column: string; kind: BlindIndexKind }
}

/** The current data key, as handed to the intake worker (a thread of this process). */
export interface SealingKey {
  id: string
  secretHex: string
}

export const sealingKeyOf = (key: DataKey): SealingKey => ({ id: key.id, secretHex: key.secretHex })
export const dataKeyOf = (key: SealingKey): DataKey => deriveDataKey(key.id, key.secretHex)

/**
 * The sealed fields of a dataset's rows in its store: for a typed table all its sealed columns, whatever the
 * registration lists (a row carrying one is sealed even if the field is not registered).
 */
export function sealedFieldsOf(dataset: {
  storeTable: string | null
  fields: readonly { name: string; piTag?: PiTag | null }[]
}): SealedField[] {
  if (dataset.storeTable) {
    return sealedColumnsOf(dataset.storeTable).map((c) => ({
      name: c.column,
      context: c.context,
      ...(c.index ? { index: { column: c.index.column, kind: c.index.kind } } : {}),
    }))
  }
  return dataset.fields
    .filter((f) => f.piTag && SEALED_PI_TAGS.includes(f.piTag))
    .map((f) => ({ name: f.name, context: recordFieldContext(f.name) }))
}

/**
 * The row (keyed by field name) with its sealed fields sealed under `key` and their blind indexes set. Missing,
 * null and empty values stay as they are: there is nothing to hide, and the store's own checks still see them.
 */
export function sealRowFields(
  key: DataKey,
  row: Record<string, unknown>,
  sealed: readonly SealedField[],
): Record<string, unknown> {
  if (sealed.length === 0) return row
  const out: Record<string, unknown> = { ...row }
  for (const field of sealed) {
    const value = row[field.name]
    if (value === undefined || value === null || value === '') continue
    const plain = String(value)
    out[field.name] = sealWithKey(key, plain, field.context)
    if (field.index) out[field.index.column] = blindIndexWithKey(key, field.index.kind, plain)
  }
  return out
}
