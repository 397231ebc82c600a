import type { PiTag } from '#db/schema/catalog.ts'
import { blindIndex, type BlindIndexKind } from '#platform/crypto/blind-index.ts'
import type { DataKeyring } from '#platform/crypto/data-keyring.ts'
import { sealValue } from '#platform/crypto/sealed-value.ts'

// Which columns of the typed store (db/schema/city.ts) hold natural persons' data and are therefore stored sealed
// (SM4 + SM3-HMAC), and which of them carry a blind index for lookups
// (docs/decisions/0019-sm4-personal-data-at-rest.md). A schema fact: every writer (the seed, a table reload, a file
// or interface load, the key rotation) seals through this list, so none can store one of them in clear.
// Enterprise names, registered addresses and USCCs are the registry's public data about legal persons: not sealed.

export interface SealedColumn {
  /** SQL column name (= the dataset field name). */
  column: string
  /** drizzle property. */
  key: string
  /** What the envelope's tag binds the value to: `<table>.<column>`. */
  context: string
  /** The column holding the value's blind index, if lookups need one. */
  index?: { column: string; key: string; kind: BlindIndexKind }
}

const sealed = (table: string, column: string, key: string, index?: SealedColumn['index']): SealedColumn => ({
  column,
  key,
  context: `${table}.${column}`,
  ...(index ? { index } : {}),
})

export const SEALED_COLUMNS: Readonly<Record<string, readonly SealedColumn[]>> = {
  city_enterprises: [
    sealed('city_enterprises', 'legal_rep_name', 'legalRepName', {
      column: 'legal_rep_name_bidx',
      key: 'legalRepNameBidx',
      kind: 'name',
    }),
    sealed('city_enterprises', 'legal_rep_id_card', 'legalRepIdCard', {
      column: 'legal_rep_id_card_bidx',
      key: 'legalRepIdCardBidx',
      kind: 'id_card',
    }),
    sealed('city_enterprises', 'legal_rep_phone', 'legalRepPhone'),
  ],
  city_social_security: [
    sealed('city_social_security', 'id_card', 'idCard', { column: 'id_card_bidx', key: 'idCardBidx', kind: 'id_card' }),
    sealed('city_social_security', 'person_name', 'personName'),
  ],
  // Not personal data, but secrets sealed with the same keyring (ADR 0020): the TOTP secrets of the second factor, so a
  // key rotation re-seals them too.
  users: [sealed('users', 'totp_secret', 'totpSecret'), sealed('users', 'totp_pending_secret', 'totpPendingSecret')],
  // Applications to become a partner (ADR 0030): a natural person's ID number, the contact's phone.
  partner_applications: [
    sealed('partner_applications', 'id_number', 'idNumber', { column: 'id_number_bidx', key: 'idNumberBidx', kind: 'id_card' }),
    sealed('partner_applications', 'contact_phone', 'contactPhone'),
  ],
}

/** The sealed columns of a store table (none for most). */
export const sealedColumnsOf = (table: string): readonly SealedColumn[] => SEALED_COLUMNS[table] ?? []

/**
 * Tags whose values are personal information: in the generic store (dataset_records) a field with one of them is
 * stored sealed inside the row's JSON. All tags but `uscc`, the public code of a legal person.
 */
export const SEALED_PI_TAGS: readonly PiTag[] = ['name', 'id_card', 'phone', 'bank_card', 'email', 'address', 'plate']

/** The context of a personal field in the generic store (dataset_records, one JSON row per record). */
export const recordFieldContext = (field: string) => `dataset_records.${field}`

/**
 * A row of a store table (keyed by drizzle property) as it is stored: each sealed column's value sealed under the
 * ring's current key and its blind index added. Null and undefined stay as they are (a NOT NULL column refuses them).
 */
export function sealStoreRow(keyring: DataKeyring, table: string, row: Record<string, unknown>): Record<string, unknown> {
  const columns = sealedColumnsOf(table)
  if (columns.length === 0) return row
  const out: Record<string, unknown> = { ...row }
  for (const c of columns) {
    const value = row[c.key]
    if (value === null || value === undefined) continue
    const plain = String(value)
    out[c.key] = sealValue(keyring, plain, c.context)
    if (c.index) out[c.index.key] = blindIndex(keyring, c.index.kind, plain)
  }
  return out
}
