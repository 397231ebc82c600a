import { sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { recordFieldContext, SEALED_COLUMNS, SEALED_PI_TAGS, type SealedColumn } from '#db/sealed-columns.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { blindIndex } from './blind-index.ts'
import type { DataKeyring } from './data-keyring.ts'
import { isSealedValue, openValue, SEALED_PREFIX, sealedKeyIdOf, sealValue } from './sealed-value.ts'

// `npm run platform -- crypto:rotate-key` (docs/decisions/0019-sm4-personal-data-at-rest.md): every sealed value
// re-sealed, and every blind index recomputed, under the keyring's current key. Table by table, in short batches, each
// one write transaction committed with its audit entry. A batch takes only rows not yet under the current key, so a
// run that was stopped resumes where it stopped, and a finished run finds nothing left. Values stored in clear by an
// earlier version (placeholder indexes from migration 0006) are sealed the same way.

export interface RotationProgress {
  /** `city_enterprises`, `city_social_security`, `dataset_records` or `users` (TOTP secrets). */
  table: string
  /** Rows re-sealed in this table so far (this run). */
  done: number
  /** Rows that were not under the current key when this run reached the table. */
  total: number
}

export interface RotationReport {
  keyId: string
  tables: RotationProgress[]
  /** Rows re-sealed over all tables. */
  resealed: number
}

export interface RotateDataKeyOptions {
  keyring: DataKeyring
  actor: Actor
  /** Rows per transaction (default 500): a few milliseconds of write lock each. */
  batchSize?: number
  /** After each committed batch (and once with done = 0 when a table starts). */
  onProgress?: (p: RotationProgress) => void
}

const DEFAULT_BATCH = 500

type Row = Record<string, unknown> & { rowid: number }

const ident = (name: string) => sql.raw(`"${name.replace(/"/g, '""')}"`)

/** A predicate: the column's text does not start with `prefix` (NULL-safe: NULL is never pending). */
const notUnder = (column: string, prefix: string) =>
  sql`(${ident(column)} is not null and substr(${ident(column)}, 1, ${prefix.length}) <> ${prefix})`

/** Rows of a typed table with a sealed value or a blind index not under the current key. */
function pendingInTable(columns: readonly SealedColumn[], keyId: string): SQL {
  const parts: SQL[] = []
  for (const c of columns) {
    parts.push(notUnder(c.column, `${SEALED_PREFIX}${keyId}:`))
    if (c.index) parts.push(notUnder(c.index.column, `${keyId}:`))
  }
  return sql.join(parts, sql` or `)
}

/** The row's sealed columns and indexes under the current key: the SET of its UPDATE, or null if nothing changes. */
function resealRow(keyring: DataKeyring, columns: readonly SealedColumn[], row: Row): Record<string, string> | null {
  const current = keyring.current.id
  const set: Record<string, string> = {}
  for (const c of columns) {
    const stored = row[c.column]
    if (stored === null || stored === undefined) continue
    const text = String(stored)
    const isCurrent = isSealedValue(text) && sealedKeyIdOf(text) === current
    const needsIndex = c.index !== undefined && !String(row[c.index.column] ?? '').startsWith(`${current}:`)
    if (isCurrent && !needsIndex) continue
    const plain = isSealedValue(text) ? openValue(keyring, text, c.context) : text
    if (!isCurrent) set[c.column] = sealValue(keyring, plain, c.context)
    if (c.index && needsIndex) set[c.index.column] = blindIndex(keyring, c.index.kind, plain)
  }
  return Object.keys(set).length > 0 ? set : null
}

function updateStatement(db: Db, table: string, rowid: number, set: Record<string, string>): BatchItem<'sqlite'> {
  const assignments = sql.join(
    Object.entries(set).map(([column, value]) => sql`${ident(column)} = ${value}`),
    sql`, `,
  )
  return db.run(sql`update ${ident(table)} set ${assignments} where rowid = ${rowid}`)
}

async function commitBatch(db: Db, opts: RotateDataKeyOptions, table: string, statements: BatchItem<'sqlite'>[]): Promise<void> {
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'crypto.reseal',
      objectType: 'table',
      objectId: table,
      detail: { keyId: opts.keyring.current.id, rows: statements.length },
    },
    statements,
  )
}

async function countWhere(db: Db, table: string, where: SQL): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`select count(*) as n from ${ident(table)} where ${where}`)
  return Number(row?.n ?? 0)
}

/** city_enterprises: one row per enterprise, any batch of rows. */
async function rotateTable(db: Db, opts: RotateDataKeyOptions, table: string): Promise<RotationProgress> {
  const columns = SEALED_COLUMNS[table] ?? []
  const pending = pendingInTable(columns, opts.keyring.current.id)
  const progress = { table, done: 0, total: await countWhere(db, table, pending) }
  opts.onProgress?.({ ...progress })
  const select = sql.join(
    [sql`rowid`, ...columns.flatMap((c) => [ident(c.column), ...(c.index ? [ident(c.index.column)] : [])])],
    sql`, `,
  )
  for (;;) {
    const rows = await db.all<Row>(
      sql`select ${select} from ${ident(table)} where ${pending} limit ${opts.batchSize ?? DEFAULT_BATCH}`,
    )
    if (rows.length === 0) return progress
    const statements = rows.flatMap((row) => {
      const set = resealRow(opts.keyring, columns, row)
      return set ? [updateStatement(db, table, row.rowid, set)] : []
    })
    if (statements.length === 0) throw new Error(`${table}: rows pending that nothing changes (rotation stuck)`)
    await commitBatch(db, opts, table, statements)
    progress.done += rows.length
    opts.onProgress?.({ ...progress })
  }
}

/**
 * city_social_security: a person's rows (one per month and insurance type) in the same batch, so that the
 * headcounts, which count distinct blind indexes, never see one person under two keys.
 */
async function rotatePersons(db: Db, opts: RotateDataKeyOptions, table: string): Promise<RotationProgress> {
  const columns = SEALED_COLUMNS[table] ?? []
  const personColumn = columns.find((c) => c.index)!.index!.column
  const pending = pendingInTable(columns, opts.keyring.current.id)
  const progress = { table, done: 0, total: await countWhere(db, table, pending) }
  opts.onProgress?.({ ...progress })
  const select = sql.join(
    [sql`rowid`, ...columns.flatMap((c) => [ident(c.column), ...(c.index ? [ident(c.index.column)] : [])])],
    sql`, `,
  )
  // Rows per person: ~36 in the seeded city (12 months × 3 insurance types).
  const personsPerBatch = Math.max(1, Math.floor((opts.batchSize ?? DEFAULT_BATCH) / 36))
  for (;;) {
    const persons = await db.all<{ person: string }>(
      sql`select distinct ${ident(personColumn)} as person from ${ident(table)} where ${pending} limit ${personsPerBatch}`,
    )
    if (persons.length === 0) return progress
    const rows = await db.all<Row>(
      sql`select ${select} from ${ident(table)} where ${ident(personColumn)} in ${persons.map((p) => p.person)}`,
    )
    const statements = rows.flatMap((row) => {
      const set = resealRow(opts.keyring, columns, row)
      return set ? [updateStatement(db, table, row.rowid, set)] : []
    })
    if (statements.length === 0) throw new Error(`${table}: rows pending that nothing changes (rotation stuck)`)
    await commitBatch(db, opts, table, statements)
    progress.done += statements.length
    opts.onProgress?.({ ...progress })
  }
}

/**
 * dataset_records: the JSON of each row, its personal fields (by the dataset's tags) and any other sealed value in
 * it (a tag removed since) re-sealed under the current key.
 */
async function rotateRecords(db: Db, opts: RotateDataKeyOptions): Promise<RotationProgress> {
  const keyId = opts.keyring.current.id
  const currentPrefix = `"${SEALED_PREFIX}${keyId}:`
  const tagged = await db.all<{ datasetId: string; name: string }>(
    sql`select f.dataset_id as datasetId, f.name as name from dataset_fields f join datasets d on d.id = f.dataset_id
        where d.store_table is null and f.pi_tag in ${[...SEALED_PI_TAGS]}`,
  )
  const fieldsOf = new Map<string, string[]>()
  for (const t of tagged) fieldsOf.set(t.datasetId, [...(fieldsOf.get(t.datasetId) ?? []), t.name])
  // A sealed value under another key anywhere in the row, or a personal field not sealed under the current key.
  const anyOtherKey = sql`instr(replace(data, ${currentPrefix}, ''), ${`"${SEALED_PREFIX}`}) > 0`
  const clearField = (name: string) => {
    const path = `$."${name}"`
    return sql`(json_type(data, ${path}) in ('text', 'integer', 'real') and json_extract(data, ${path}) <> ''
      and substr(json_extract(data, ${path}), 1, ${SEALED_PREFIX.length + keyId.length + 1}) <> ${`${SEALED_PREFIX}${keyId}:`})`
  }
  const perDataset = [...fieldsOf.entries()].map(
    ([datasetId, names]) => sql`(dataset_id = ${datasetId} and (${sql.join(names.map(clearField), sql` or `)}))`,
  )
  const pending = sql.join([anyOtherKey, ...perDataset], sql` or `)
  const table = 'dataset_records'
  const progress = { table, done: 0, total: await countWhere(db, table, pending) }
  opts.onProgress?.({ ...progress })
  for (;;) {
    const rows = await db.all<Row & { datasetId: string; data: string }>(
      sql`select rowid, dataset_id as datasetId, data from dataset_records where ${pending} limit ${opts.batchSize ?? DEFAULT_BATCH}`,
    )
    if (rows.length === 0) return progress
    const statements = rows.map((row) => {
      const record = JSON.parse(row.data) as Record<string, unknown>
      const personal = new Set(fieldsOf.get(row.datasetId) ?? [])
      for (const [field, value] of Object.entries(record)) {
        const isPersonal = personal.has(field) && value !== null && value !== '' && typeof value !== 'boolean'
        if (!isSealedValue(value) && !isPersonal) continue
        const text = String(value)
        if (isSealedValue(text) && sealedKeyIdOf(text) === keyId) continue
        const context = recordFieldContext(field)
        record[field] = sealValue(opts.keyring, isSealedValue(text) ? openValue(opts.keyring, text, context) : text, context)
      }
      return db.run(sql`update dataset_records set data = ${JSON.stringify(record)} where rowid = ${row.rowid}`)
    })
    await commitBatch(db, opts, table, statements)
    progress.done += rows.length
    opts.onProgress?.({ ...progress })
  }
}

/** Re-seals every personal value and recomputes every blind index under `keyring.current` (resumable). */
export async function rotateDataKey(db: Db, opts: RotateDataKeyOptions): Promise<RotationReport> {
  const tables = [
    await rotateTable(db, opts, 'city_enterprises'),
    await rotatePersons(db, opts, 'city_social_security'),
    await rotateRecords(db, opts),
    await rotateTable(db, opts, 'users'),
    await rotateTable(db, opts, 'partner_applications'),
  ]
  return { keyId: opts.keyring.current.id, tables, resealed: tables.reduce((n, t) => n + t.done, 0) }
}
