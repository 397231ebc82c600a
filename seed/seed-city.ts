// Loads the synthetic city (generate-city.ts) into the city_* tables, the
// personal columns sealed under the process's data key (db/sealed-columns.ts).
//
// Fast path on an embedded file: the native connection (db/native.ts), one
// INSERT prepared once per table and run per row inside transactions of
// ROWS_PER_BATCH rows (building drizzle queries and preparing multi-row
// statements cost more than the inserts themselves: docs/BENCHMARKS-ui.md, first
// start). Over a libsql server: multi-row INSERTs (sized under SQLite's 32,766
// bound-parameter limit) grouped into `db.batch([...])` calls; each batch is one
// atomic commit. Never `db.transaction` (it deadlocks this driver: see
// db/client.ts).

import type { Db } from '#db/client.ts'
import {
  cityEnterprises,
  cityHospitalVisits,
  cityMedicalInsurance,
  cityRoadSegments,
  citySocialSecurity,
  cityTaxCreditRatings,
  cityTrafficFlows,
} from '#db/schema/city.ts'
import { getTableColumns } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { sealedColumnsOf, sealStoreRow } from '#db/sealed-columns.ts'
import { rowsPerStatement } from '#db/rows-per-statement.ts'
import { nativeStoreOf } from '#db/native.ts'
import { getDataKeyring, type DataKeyring } from '#platform/crypto/data-keyring.ts'
import {
  DEFAULT_SEED,
  chunks,
  generateCity,
  type CityData,
  type CityTable,
  type ScaleName,
} from '#source-systems/simulated/generate-city.ts'

export interface SeedCityOptions {
  scale: ScaleName
  seed?: string
  /** The keys the personal columns are sealed under; default the process's (getDataKeyring). */
  keyring?: DataKeyring
  /** Called after each committed batch (and once with done = 0 before a table starts). */
  onProgress?: (table: string, done: number, total: number) => void
}

/** Rows per `db.batch` commit, roughly. */
const ROWS_PER_BATCH = 25_000

/** Each generated table with its drizzle table, in insert order. */
const TABLES: readonly { key: CityTable; table: SQLiteTable; name: string }[] = [
  { key: 'enterprises', table: cityEnterprises, name: 'city_enterprises' },
  { key: 'taxCreditRatings', table: cityTaxCreditRatings, name: 'city_tax_credit_ratings' },
  { key: 'roadSegments', table: cityRoadSegments, name: 'city_road_segments' },
  { key: 'trafficFlows', table: cityTrafficFlows, name: 'city_traffic_flows' },
  { key: 'hospitalVisits', table: cityHospitalVisits, name: 'city_hospital_visits' },
  { key: 'medicalInsurance', table: cityMedicalInsurance, name: 'city_medical_insurance' },
  { key: 'socialSecurity', table: citySocialSecurity, name: 'city_social_security' },
]

/**
 * Replaces the contents of the city_* tables with the generated city for
 * `scale` (default seed: DEFAULT_SEED). Returns the row count per table
 * (keyed by SQL table name).
 */
export async function seedCity(db: Db, opts: SeedCityOptions): Promise<Record<string, number>> {
  const data: CityData = generateCity(opts.scale, opts.seed ?? DEFAULT_SEED)

  await db.batch([
    db.delete(cityEnterprises),
    db.delete(cityTaxCreditRatings),
    db.delete(cityRoadSegments),
    db.delete(cityTrafficFlows),
    db.delete(cityHospitalVisits),
    db.delete(cityMedicalInsurance),
    db.delete(citySocialSecurity),
  ])

  const keyring = opts.keyring ?? getDataKeyring()
  const counts: Record<string, number> = {}
  for (const { key, table, name } of TABLES) {
    counts[name] = await insertRows(db, table, name, sealRows(keyring, name, data[key]), opts.onProgress)
  }
  return counts
}

/**
 * The rows with their personal columns sealed. A person's many rows (one per month and insurance type) share one
 * sealed value: sealing each would cost ~36× the time and hide nothing the blind index does not already show.
 */
function sealRows(keyring: DataKeyring, table: string, rows: readonly object[]): readonly object[] {
  if (sealedColumnsOf(table).length === 0) return rows
  const sealedByPerson = new Map<string, Record<string, unknown>>()
  return rows.map((row) => {
    const plain = row as Record<string, unknown>
    if (table !== 'city_social_security') return sealStoreRow(keyring, table, plain)
    const person = `${String(plain.idCard)}\u0000${String(plain.personName)}`
    let sealed = sealedByPerson.get(person)
    if (!sealed) {
      const { idCard, idCardBidx, personName } = sealStoreRow(keyring, table, plain)
      sealed = { idCard, idCardBidx, personName }
      sealedByPerson.set(person, sealed)
    }
    return { ...plain, ...sealed }
  })
}

async function insertRows(
  db: Db,
  table: SQLiteTable,
  name: string,
  rows: readonly object[],
  onProgress: SeedCityOptions['onProgress'],
): Promise<number> {
  const total = rows.length
  onProgress?.(name, 0, total)
  if (total === 0) return 0
  const native = nativeStoreOf(db)
  if (native) {
    // Each column's driver value as drizzle would bind it (mapToDriverValue), in the table's column order.
    const columns = Object.entries(getTableColumns(table))
    const stmt = native.statement(
      `INSERT INTO "${name}" (${columns.map(([, c]) => `"${c.name}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    )
    const args = (row: object) =>
      columns.map(([key, column]) => {
        const value = (row as Record<string, unknown>)[key]
        return value === undefined || value === null ? null : column.mapToDriverValue(value)
      })
    let done = 0
    while (done < total) {
      const end = Math.min(total, done + ROWS_PER_BATCH)
      native.transaction(() => {
        for (let i = done; i < end; i++) stmt.run(...(args(rows[i]!) as unknown[]))
      })
      done = end
      onProgress?.(name, done, total)
    }
    return done
  }
  const perStatement = rowsPerStatement(Object.keys(getTableColumns(table)).length)
  const statementsPerBatch = Math.max(1, Math.floor(ROWS_PER_BATCH / perStatement))
  let done = 0
  let pending: ReturnType<typeof insertStatement>[] = []
  let pendingRows = 0
  const flush = async () => {
    const [first, ...rest] = pending
    if (!first) return
    await db.batch([first, ...rest])
    done += pendingRows
    pending = []
    pendingRows = 0
    onProgress?.(name, done, total)
  }
  for (const chunk of chunks(rows, perStatement)) {
    pending.push(insertStatement(db, table, chunk))
    pendingRows += chunk.length
    if (pending.length >= statementsPerBatch) await flush()
  }
  await flush()
  return done
}

function insertStatement(db: Db, table: SQLiteTable, chunk: object[]) {
  // The rows come from generate-city.ts whose row types are the tables' own ($inferSelect).
  return db.insert(table).values(chunk as never)
}
