import type { Client, InStatement, InValue } from '@libsql/client'
import { sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Db } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { rowsPerStatement } from '#db/rows-per-statement.ts'
import { STORE_TABLES, storeColumns, type StoreRef } from './dataset-store.ts'
import type { StoreRow, StoreShape } from './scan-dataset-file.ts'
import { sealedFieldsOf } from './seal-store-row.ts'
import type { FieldSpec } from './validate-rows.ts'

// Staging for a big load (docs/decisions/0016-dataset-intake-off-the-event-loop.md).
// Rows are written in short transactions while the file streams in, each a few
// milliseconds, with a turn of the event loop between them, so metered calls keep
// being served. None of them is visible as the dataset's data until one short
// transaction swaps them in together with the load record:
// - a typed store table (city_*): rows go into a private copy of the table,
//   `<table>__load_<pid>`; the swap drops the table and renames the copy
//   (and re-creates the table's secondary indexes under their own names);
// - the generic store (dataset_records): rows go in under the new load's id and
//   row numbers above every existing one; the dataset's data is the rows of its
//   latest succeeded load (countStoreRows), so the load record is the swap.
//   The previous rows are deleted afterwards, in short steps.
// A failed load deletes what it staged; nothing half-loaded is ever the data.

export type StagingProblem =
  /** A row the store refused: it repeats a key, or misses a value a NOT NULL column needs. */
  | { kind: 'row'; row: number; field: string; problem: 'duplicate_key' | 'required'; message: string }
  /** The staged rows were disturbed (another load, or the data's deletion at an authorization's end). */
  | { kind: 'conflict'; message: string }

export interface Staging {
  readonly shape: StoreShape
  /** Rows staged so far. */
  readonly staged: number
  /** Stages the file's next rows; null, or why the store refused one (nothing more may be staged then). */
  insert(rows: readonly StoreRow[]): Promise<StagingProblem | null>
  /** Whether the staged rows are all still there (another load or the end of the authorization may have removed them). */
  isIntact(): Promise<boolean>
  /** The statements that make the staged rows the dataset's data: run them in one batch with the load record. */
  swapStatements(): BatchItem<'sqlite'>[]
  /** After the swap committed: deletes the rows it replaced, in short steps. */
  cleanUp(): Promise<void>
  /** The load failed: deletes whatever it staged. */
  discard(): Promise<void>
}

/** A transaction should hold the write lock (and the event loop) this long at most. */
const TARGET_TXN_MS = 8
const MIN_ROWS_PER_TXN = 20
const MAX_ROWS_PER_TXN = 5000
/** Rows counted per query when checking the staged rows (a few milliseconds each). */
const COUNT_SLICE = 50_000

const clientOf = (db: Db) => (db as Db & { $client: Client }).$client
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/** The shape a dataset's good rows take for its store: JSON text for dataset_records, or the typed table's columns. */
export function storeShapeOf(dataset: StoreRef & { fields: readonly FieldSpec[] }): StoreShape {
  const sealed = sealedFieldsOf(dataset)
  if (!dataset.storeTable) return { kind: 'json', sealed }
  const columns = storeColumns(dataset.storeTable)
  const names = dataset.fields.map((f) => f.name).filter((name) => columns.has(name))
  // The blind indexes of sealed fields are columns of their own, filled as the rows are sealed.
  for (const field of sealed) if (field.index && names.includes(field.name)) names.push(field.index.column)
  return { kind: 'columns', names, sealed }
}

/**
 * Rows per transaction, adapted to keep each one near {@link TARGET_TXN_MS}: the
 * cost per row depends on the table (a random text key costs far more than an
 * append) and on how busy the machine is.
 */
class TransactionPacer {
  #rows = 200
  get rows() {
    return this.#rows
  }
  took(ms: number, rows: number) {
    if (rows < this.#rows) return
    if (ms < TARGET_TXN_MS / 2) this.#rows = Math.min(MAX_ROWS_PER_TXN, this.#rows * 2)
    else if (ms > TARGET_TXN_MS * 2) this.#rows = Math.max(MIN_ROWS_PER_TXN, Math.floor(this.#rows / 2))
  }
}

const isConstraintError = (error: unknown) => /constraint failed/i.test((error as Error)?.message ?? '')

/**
 * Where staging writes go. On an embedded file, the native connection
 * (db/native.ts) with statements prepared once: the libsql client prepares
 * every statement on every call, which cost more than the inserts. Otherwise
 * (a libsql server), the client with multi-row statements.
 */
interface Writer {
  /** One statement; rows affected. */
  run(sqlText: string, args: InValue[]): Promise<number>
  /** Inserts rows in one transaction: null, or the row the store refused and why (the load then fails). */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly InValue[][],
  ): Promise<{ at: number; error: unknown } | null>
}

function writerOf(db: Db): Writer {
  const native = nativeStoreOf(db)
  if (native) {
    return {
      async run(sqlText, args) {
        return native.statement(sqlText).run(...args).changes
      },
      async insertRows(table, columns, rows) {
        const stmt = native.statement(
          `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        )
        let at = 0
        try {
          native.transaction(() => {
            for (at = 0; at < rows.length; at++) stmt.run(...rows[at]!)
          })
          return null
        } catch (error) {
          if (!isConstraintError(error)) throw error
          return { at, error }
        }
      },
    }
  }
  const client = clientOf(db)
  return {
    async run(sqlText, args) {
      return (await client.execute({ sql: sqlText, args })).rowsAffected
    },
    async insertRows(table, columns, rows) {
      try {
        await client.batch(insertStatements(table, columns, rows), 'write')
        return null
      } catch (error) {
        if (!isConstraintError(error)) throw error
      }
      // Find the row the store refused, one at a time (the load fails: what is written here is discarded with the rest).
      for (let at = 0; at < rows.length; at++) {
        try {
          await client.batch(insertStatements(table, columns, [rows[at]!]), 'write')
        } catch (error) {
          if (!isConstraintError(error)) throw error
          return { at, error }
        }
      }
      throw new Error(`${table}: a transaction was refused but none of its rows alone`)
    },
  }
}

function insertStatements(table: string, columns: readonly string[], rows: readonly InValue[][]): InStatement[] {
  const per = rowsPerStatement(columns.length)
  const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES `
  const tuple = `(${columns.map(() => '?').join(', ')})`
  const statements: InStatement[] = []
  for (let i = 0; i < rows.length; i += per) {
    const slice = rows.slice(i, i + per)
    statements.push({ sql: head + new Array(slice.length).fill(tuple).join(', '), args: slice.flat() })
  }
  return statements
}

/** Runs `step` (one short statement deleting up to `limit` rows) until it deletes fewer, yielding between. */
async function inShortSteps(step: (limit: number) => Promise<number>): Promise<void> {
  const pacer = new TransactionPacer()
  for (;;) {
    const started = performance.now()
    const limit = pacer.rows
    const affected = await step(limit)
    pacer.took(performance.now() - started, affected)
    if (affected < limit) return
    await nextTurn()
  }
}

/** Stages rows in paced transactions, a turn of the event loop between two. */
function stager(
  writer: Writer,
  table: string,
  columns: readonly string[],
  toArgs: (row: StoreRow, rowNumber: number) => InValue[],
  onRefused: (row: number, error: unknown) => StagingProblem,
) {
  const pacer = new TransactionPacer()
  let staged = 0
  return {
    get staged() {
      return staged
    },
    async insert(rows: readonly StoreRow[]): Promise<StagingProblem | null> {
      for (let i = 0; i < rows.length;) {
        const slice = rows.slice(i, i + pacer.rows).map((row, j) => toArgs(row, staged + j + 1))
        const started = performance.now()
        const refused = await writer.insertRows(table, columns, slice)
        if (refused) return onRefused(staged + refused.at + 1, refused.error)
        pacer.took(performance.now() - started, slice.length)
        staged += slice.length
        i += slice.length
        await nextTurn()
      }
      return null
    },
  }
}

/**
 * Opens the staging of a load: a private table for a typed store, a fresh
 * row-number range for the generic store. `loadId` is the id the load record
 * will get.
 */
export async function openStaging(
  db: Db,
  opts: { dataset: StoreRef & { fields: readonly FieldSpec[] }; loadId: string },
): Promise<Staging> {
  const shape = storeShapeOf(opts.dataset)
  return opts.dataset.storeTable
    ? openTableStaging(db, opts.dataset.storeTable, shape as Extract<StoreShape, { kind: 'columns' }>)
    : openRecordStaging(db, opts.dataset.id, opts.loadId)
}

async function openRecordStaging(db: Db, datasetId: string, loadId: string): Promise<Staging> {
  const client = clientOf(db)
  const writer = writerOf(db)
  const top = await client.execute({
    sql: 'SELECT coalesce(max(row_no), 0) AS top FROM dataset_records WHERE dataset_id = ?',
    args: [datasetId],
  })
  // Row numbers above every existing row: the new rows never collide with the data they will replace.
  const base = Number(top.rows[0]?.top ?? 0)
  const rows = stager(
    writer,
    'dataset_records',
    ['dataset_id', 'row_no', 'load_id', 'data'],
    (row, n) => [datasetId, base + n, loadId, row[0] ?? null],
    (_row, error) => ({
      kind: 'conflict',
      message: `another load of this dataset wrote at the same time (${(error as Error).message})`,
    }),
  )
  return {
    shape: { kind: 'json' },
    get staged() {
      return rows.staged
    },
    insert: (r) => rows.insert(r),
    async isIntact() {
      // Counted in slices of the row-number range, a turn of the event loop between two: one count over a million
      // rows would hold the thread for a sixth of a second.
      for (let from = base; from < base + rows.staged; from += COUNT_SLICE) {
        const to = Math.min(base + rows.staged, from + COUNT_SLICE)
        const result = await client.execute({
          sql: 'SELECT count(*) AS n FROM dataset_records WHERE dataset_id = ? AND row_no > ? AND row_no <= ? AND load_id = ?',
          args: [datasetId, from, to, loadId],
        })
        if (Number(result.rows[0]?.n ?? -1) !== to - from) return false
        await nextTurn()
      }
      return true
    },
    swapStatements: () => [],
    cleanUp: () =>
      inShortSteps((limit) =>
        writer.run(
          'DELETE FROM dataset_records WHERE dataset_id = ? AND row_no IN ' +
            '(SELECT row_no FROM dataset_records WHERE dataset_id = ? AND row_no <= ? LIMIT ?)',
          [datasetId, datasetId, base, limit],
        ),
      ),
    discard: () =>
      inShortSteps((limit) =>
        writer.run(
          'DELETE FROM dataset_records WHERE dataset_id = ? AND row_no IN ' +
            '(SELECT row_no FROM dataset_records WHERE dataset_id = ? AND row_no > ? AND load_id = ? LIMIT ?)',
          [datasetId, datasetId, base, loadId, limit],
        ),
      ),
  }
}

/** `<table>__load_<pid>`: one per process and table (loads of a table take turns: lock-dataset-store.ts). */
const STAGING_NAME_RE = /^(.+)__load_(\d+)$/

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function openTableStaging(db: Db, table: string, shape: Extract<StoreShape, { kind: 'columns' }>): Promise<Staging> {
  if (!STORE_TABLES[table]) throw new Error(`unknown store table ${table}`)
  if (shape.names.length === 0) throw new Error(`no field of the dataset is a column of ${table}`)
  const client = clientOf(db)
  const writer = writerOf(db)
  const isLocal = nativeStoreOf(db) !== undefined
  const schema = await client.execute({
    sql: "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? OR (type = 'table' AND name LIKE ? ESCAPE '\\')",
    args: [table, `${table.replace(/_/g, '\\_')}\\_\\_load\\_%`],
  })
  const staging = `${table}__load_${process.pid}`
  let createSql: string | null = null
  const indexSql: string[] = []
  for (const row of schema.rows) {
    const [type, name, text] = [String(row.type), String(row.name), row.sql === null ? null : String(row.sql)]
    if (type === 'table' && name === table) createSql = text
    else if (type === 'index' && text) indexSql.push(text)
    else if (type === 'table') {
      // Left behind by this process (a discard that failed) or by one that died mid-load.
      const m = STAGING_NAME_RE.exec(name)
      const pid = Number(m?.[2])
      if (m && m[1] === table && (pid === process.pid || (isLocal && !isAlive(pid)))) {
        await client.execute(`DROP TABLE IF EXISTS ${quote(name)}`)
      }
    }
  }
  if (!createSql) throw new Error(`store table ${table} is missing`)
  const stagingSql = createSql.replace(
    /^CREATE TABLE\s+(?:`[^`]+`|"(?:[^"]|"")+"|\[[^\]]+\]|\S+)/i,
    `CREATE TABLE ${quote(staging)}`,
  )
  if (stagingSql === createSql) throw new Error(`cannot read the definition of ${table}`)
  await client.execute(stagingSql)
  const rows = stager(
    writer,
    staging,
    shape.names,
    (row) => row,
    (row, error) => rowProblem(error, row, staging, shape),
  )
  return {
    shape,
    get staged() {
      return rows.staged
    },
    insert: (r) => rows.insert(r),
    async isIntact() {
      // The staging table is this load's alone; what could go is the table itself.
      const result = await client.execute({
        sql: "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
        args: [staging],
      })
      return Number(result.rows[0]?.n ?? 0) === 1
    },
    swapStatements: () => [
      db.run(sql.raw(`DROP TABLE ${quote(table)}`)),
      db.run(sql.raw(`ALTER TABLE ${quote(staging)} RENAME TO ${quote(table)}`)),
      // Secondary indexes keep their names (later migrations refer to them), so they are built here, on the swapped-in rows.
      ...indexSql.map((text) => db.run(sql.raw(text))),
    ],
    cleanUp: async () => undefined,
    async discard() {
      await client.execute(`DROP TABLE IF EXISTS ${quote(staging)}`)
    },
  }
}

function rowProblem(
  error: unknown,
  row: number,
  staging: string,
  shape: Extract<StoreShape, { kind: 'columns' }>,
): StagingProblem {
  const message = (error as Error).message ?? String(error)
  const m = /(UNIQUE|NOT NULL|PRIMARY KEY)[^:]*constraint failed:\s*(.+?)(?:\s*\(|$)/i.exec(message)
  // A key on a sealed field is a key on its blind index: the report names the field the file has.
  const fieldOfIndex = new Map((shape.sealed ?? []).flatMap((f) => (f.index ? [[f.index.column, f.name] as const] : [])))
  const columns = (m?.[2] ?? '')
    .split(',')
    .map((c) => c.trim().replace(`${staging}.`, ''))
    .map((c) => fieldOfIndex.get(c) ?? c)
    .filter(Boolean)
    .join(', ')
  const isNotNull = /NOT NULL/i.test(m?.[1] ?? message)
  return {
    kind: 'row',
    row,
    field: columns,
    problem: isNotNull ? 'required' : 'duplicate_key',
    message: isNotNull
      ? `row ${row} has no value for ${columns || 'a required column'}`
      : `row ${row} repeats the key (${columns}) of an earlier row`,
  }
}
