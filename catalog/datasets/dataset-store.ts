import { and, count, desc, eq, getTableColumns, inArray } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import {
  cityEnterprises,
  cityHospitalVisits,
  cityMedicalInsurance,
  cityRoadSegments,
  citySocialSecurity,
  cityTaxCreditRatings,
  cityTrafficFlows,
  datasetLoads,
  datasetRecords,
} from '#db/schema/index.ts'
import { rowsPerStatement } from '#db/rows-per-statement.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { sealedFieldsOf, sealRowFields } from './seal-store-row.ts'
import type { FieldSpec } from './validate-rows.ts'

// Where a dataset's data lives inside the platform (Art. 16): its typed store
// table (`datasets.store_table`, one of the city_* tables) or, when it has none,
// the generic `dataset_records` store (one JSON row per record). Loads replace
// the whole content; the end of an authorization deletes it (Art. 17).
// In dataset_records the dataset's data is the rows of its latest succeeded
// load: a big file is staged beside the current rows and becomes the data when
// its load record commits (stage-dataset-rows.ts).

/** The typed store tables a dataset may name, by SQL table name. */
export const STORE_TABLES: Record<string, SQLiteTable> = {
  city_enterprises: cityEnterprises,
  city_tax_credit_ratings: cityTaxCreditRatings,
  city_road_segments: cityRoadSegments,
  city_traffic_flows: cityTrafficFlows,
  city_hospital_visits: cityHospitalVisits,
  city_medical_insurance: cityMedicalInsurance,
  city_social_security: citySocialSecurity,
}

export interface StoreRef {
  id: string
  storeTable: string | null
}

export interface StoreColumn {
  /** The drizzle property (camelCase) the SQL column (the field name) maps to. */
  key: string
  notNull: boolean
}

function storeTableOf(dataset: StoreRef): SQLiteTable | null {
  if (!dataset.storeTable) return null
  const table = STORE_TABLES[dataset.storeTable]
  if (!table) throw new Error(`dataset ${dataset.id}: unknown store table ${dataset.storeTable}`)
  return table
}

/** SQL column name → drizzle key and nullability, for a typed store table. */
export function storeColumns(storeTable: string): Map<string, StoreColumn> {
  const table = STORE_TABLES[storeTable]
  if (!table) throw new Error(`unknown store table ${storeTable}`)
  const out = new Map<string, StoreColumn>()
  for (const [key, column] of Object.entries(getTableColumns(table))) out.set(column.name, { key, notNull: column.notNull })
  return out
}

/** How many rows of the dataset the platform holds now (staged rows of a load under way are not the data yet). */
export async function countStoreRows(db: Db, dataset: StoreRef): Promise<number> {
  const table = storeTableOf(dataset)
  if (table) {
    const [row] = await db.select({ n: count() }).from(table)
    return row?.n ?? 0
  }
  const currentLoad = db
    .select({ id: datasetLoads.id })
    .from(datasetLoads)
    .where(and(eq(datasetLoads.datasetId, dataset.id), eq(datasetLoads.state, 'succeeded')))
    .orderBy(desc(datasetLoads.finishedAt), desc(datasetLoads.startedAt))
    .limit(1)
  const [row] = await db
    .select({ n: count() })
    .from(datasetRecords)
    .where(and(eq(datasetRecords.datasetId, dataset.id), inArray(datasetRecords.loadId, currentLoad)))
  return row?.n ?? 0
}

/** The statement that deletes all of the dataset's rows from its store (never a log). */
export function deleteStoreRows(db: Db, dataset: StoreRef): BatchItem<'sqlite'> {
  const table = storeTableOf(dataset)
  return table ? db.delete(table) : db.delete(datasetRecords).where(eq(datasetRecords.datasetId, dataset.id))
}

/**
 * Statements that replace the dataset's content with `rows` (keyed by field
 * name = SQL column name, values already normalised), the personal fields
 * sealed (seal-store-row.ts). Meant for one db.batch together with the load
 * record: all or nothing.
 */
export function replaceStoreRows(
  db: Db,
  dataset: StoreRef & { fields: readonly FieldSpec[] },
  plainRows: readonly Record<string, unknown>[],
  loadId: string,
): BatchItem<'sqlite'>[] {
  const statements: BatchItem<'sqlite'>[] = [deleteStoreRows(db, dataset)]
  const sealed = sealedFieldsOf(dataset)
  const key = getDataKeyring().current
  const rows = sealed.length > 0 ? plainRows.map((row) => sealRowFields(key, row, sealed)) : plainRows
  const table = storeTableOf(dataset)
  if (table) {
    const columns = storeColumns(dataset.storeTable!)
    const mapped = rows.map((row) => {
      const out: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(row)) {
        const column = columns.get(name)
        if (column) out[column.key] = value
      }
      return out
    })
    const per = rowsPerStatement(columns.size)
    for (let i = 0; i < mapped.length; i += per) statements.push(db.insert(table).values(mapped.slice(i, i + per) as never))
  } else {
    const per = rowsPerStatement(4)
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows
        .slice(i, i + per)
        .map((row, j) => ({ datasetId: dataset.id, rowNo: i + j + 1, loadId, data: JSON.stringify(row) }))
      statements.push(db.insert(datasetRecords).values(chunk))
    }
  }
  return statements
}
