import { recordFieldContext } from '#db/sealed-columns.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { isSealedValue, openValue } from '#platform/crypto/sealed-value.ts'

/**
 * A generic-store record (dataset_records.data, parsed) with its sealed personal fields opened: the store holds
 * every field tagged as personal sealed (catalog/datasets/seal-store-row.ts); tests compare the values loaded.
 */
export function openRecord(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([field, value]) => [
      field,
      isSealedValue(value) ? openValue(getDataKeyring(), value, recordFieldContext(field)) : value,
    ]),
  )
}
