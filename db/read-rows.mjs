// Reading rows on a connection of one's own, off the main thread: the read worker (read-worker.mjs) and the model
// fitting worker (sandbox/models/read-and-fit.ts) both read this way. Plain JavaScript, so a worker needs no loader.
import Database from 'libsql'

/** A connection that refuses every write. libsql's Database ignores `readonly`; SQLite's query_only does not. */
export function openQueryOnly(path) {
  const db = new Database(path)
  db.exec('PRAGMA query_only = ON')
  db.exec('PRAGMA busy_timeout = 5000')
  return db
}

/** The column names and the rows as arrays (cheap to post between threads). */
export function readRaw(db, sql, params) {
  const stmt = db.prepare(sql)
  const names = stmt.columns().map((c) => c.name)
  return { names, rows: stmt.raw(true).all(...params) }
}

/** The rows as objects keyed by column, in select order: what the client's `db.all` gives. */
export function toObjects({ names, rows }) {
  return rows.map((values) => {
    const row = {}
    names.forEach((name, i) => (row[name] = values[i]))
    return row
  })
}
