import { Worker } from 'node:worker_threads'
import type { SQL } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import type { Db } from './client.ts'
import { nativeStoreOf } from './native.ts'
import { toObjects } from './read-rows.mjs'

const dialect = new SQLiteAsyncDialect()

export class ReadWorkerError extends Error {
  override name = 'ReadWorkerError'
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message)
  }
}

type Reply =
  | { id: number; ok: true; names: string[]; rows: unknown[][]; threadId: number }
  | { id: number; ok: false; message: string; code: string | null }

interface Waiter {
  resolve: (reply: Extract<Reply, { ok: true }>) => void
  reject: (error: Error) => void
}

/** The current read worker and the reads waiting on it (a worker that dies fails only its own reads). */
let current: { worker: Worker; waiting: Map<number, Waiter> } | null = null
let nextId = 0

/** The process's one read worker, started on first use; unref'd while idle, so it never keeps the process alive. */
function readWorker(): { worker: Worker; waiting: Map<number, Waiter> } {
  if (current) return current
  const w = new Worker(new URL('./read-worker.mjs', import.meta.url))
  w.unref()
  const mine = { worker: w, waiting: new Map<number, Waiter>() }
  const breakAll = (error: Error) => {
    if (current === mine) current = null
    for (const waiter of mine.waiting.values()) waiter.reject(error)
    mine.waiting.clear()
  }
  w.on('message', (reply: Reply) => {
    const waiter = mine.waiting.get(reply.id)
    if (!waiter) return
    mine.waiting.delete(reply.id)
    if (mine.waiting.size === 0) w.unref()
    if (reply.ok) waiter.resolve(reply)
    else waiter.reject(new ReadWorkerError(reply.message, reply.code))
  })
  w.on('error', (error) => breakAll(new ReadWorkerError(`read worker: ${(error as Error)?.message ?? String(error)}`)))
  w.on('exit', (code) => breakAll(new ReadWorkerError(`read worker exited (code ${code})`)))
  current = mine
  return mine
}

/** Runs one statement on the read worker: the rows as the worker read them, and which thread read them. */
export function readRowsOffThread(
  path: string,
  sql: string,
  params: unknown[],
): Promise<{ rows: Record<string, unknown>[]; threadId: number }> {
  const { worker: w, waiting } = readWorker()
  const id = nextId++
  return new Promise((resolve, reject) => {
    waiting.set(id, {
      resolve: (reply) => resolve({ rows: toObjects(reply), threadId: reply.threadId }),
      reject,
    })
    // A pending read keeps the process alive, as the query would on the main thread.
    w.ref()
    w.postMessage({ id, path, sql, params })
  })
}

/**
 * A heavy read-only query (a sandbox job's aggregates, its dominance pass, a differencing check: up to a second of
 * SQLite CPU at city scale) run on a worker thread with its own read-only connection to the database file, so that the
 * main thread keeps serving metered calls meanwhile (ADR 0038 addendum). The same rows as `db.all` (objects keyed by
 * column, in select order). Only for the embedded file: on the client path (a libsql server, or the native path
 * switched off) the query goes through the client, whose network read does not hold the event loop.
 */
export async function readOffThread<T>(db: Db, query: SQL): Promise<T[]> {
  const native = nativeStoreOf(db)
  if (!native) return db.all<T>(query)
  const { sql, params } = dialect.sqlToQuery(query)
  return (await readRowsOffThread(native.path, sql, params)).rows as T[]
}

/** Stops the read worker (reads still waiting on it fail); the next read starts a new one at once. */
export async function stopReadWorker(): Promise<void> {
  const stopping = current
  if (!stopping) return
  current = null
  await stopping.worker.terminate()
}
