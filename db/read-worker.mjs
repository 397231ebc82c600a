// The read worker thread (db/read-off-thread.ts): runs one read-only statement at a time on a connection of its own to
// the database file and answers the column names and the rows as arrays. Plain JavaScript, so it starts without a
// TypeScript loader. It keeps a few connections open (one per database file, most recently used first).
import { parentPort, threadId } from 'node:worker_threads'
import { openQueryOnly, readRaw } from './read-rows.mjs'

const MAX_OPEN = 4
const open = new Map()

function connectionTo(path) {
  let db = open.get(path)
  if (db) open.delete(path)
  else db = openQueryOnly(path)
  open.set(path, db)
  if (open.size > MAX_OPEN) {
    const [oldest, old] = open.entries().next().value
    open.delete(oldest)
    old.close()
  }
  return db
}

parentPort.on('message', ({ id, path, sql, params }) => {
  try {
    const { names, rows } = readRaw(connectionTo(path), sql, params)
    parentPort.postMessage({ id, ok: true, names, rows, threadId })
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: String(error?.message ?? error), code: error?.code ?? null })
  }
})
