import { Worker } from 'node:worker_threads'
import { createSlots } from '#platform/concurrency/slots.ts'
import { DatasetFileScanner, type ScanOptions, type ScanSummary, type StoreRow } from './scan-dataset-file.ts'

// Runs a dataset file scan (scan-dataset-file.ts) in a worker thread, or in
// place for a small file, behind one promise-based interface. The worker gets
// one chunk at a time and answers with that chunk's rows: the caller awaits each
// answer before it has more than one chunk ahead, so neither side can flood the
// other (backpressure, and the upload's socket is read no faster than rows are
// stored).

export type WorkerRequest = { type: 'write'; id: number; bytes: Uint8Array } | { type: 'end'; id: number; isComplete: boolean }

export type WorkerReply =
  | { type: 'written'; id: number; rows: StoreRow[]; isFailed: boolean; rowsRead: number }
  | { type: 'ended'; id: number; rows: StoreRow[]; summary: ScanSummary }
  | { type: 'error'; id: number; message: string }

/** The worker failed or died (not the file's fault as such: out of memory, a bug). */
export class ScanWorkerError extends Error {}

export interface Written {
  rows: StoreRow[]
  isFailed: boolean
  rowsRead: number
}

export interface FileScan {
  /** Feeds the next chunk; resolves with the good rows it completed. */
  write(bytes: Uint8Array): Promise<Written>
  /** `isComplete` false: reading stopped early (too large, client gone); no checksum, no end-of-file checks. */
  end(opts?: { isComplete?: boolean }): Promise<{ rows: StoreRow[]; summary: ScanSummary }>
  /** Stops the worker (idempotent). */
  close(): Promise<void>
}

/** The scan on the calling thread: for input small enough to scan within a few milliseconds. */
export function scanInPlace(opts: ScanOptions): FileScan {
  const scanner = new DatasetFileScanner(opts)
  return {
    write: async (bytes) => ({ rows: scanner.write(bytes), isFailed: scanner.isFailed, rowsRead: scanner.rowsRead }),
    end: async (o) => scanner.end(o),
    close: async () => undefined,
  }
}

/** Heap for one scan: rows are handed out per chunk, so only a record (≤ 4 MiB) and the report are ever held. */
const WORKER_HEAP_MB = 256

/**
 * Worker scans running at once in this process; more wait their turn (their uploads are then read no further, so
 * the senders wait too). Each worker costs a thread, a heap and most of a core: without a bound, parallel uploads
 * could take the machine from the API.
 */
export const MAX_CONCURRENT_SCANS = 2
const scanSlots = createSlots(MAX_CONCURRENT_SCANS)

/** The scan in a worker thread: the main thread only posts bytes and receives rows. */
export function scanInWorker(opts: ScanOptions): FileScan {
  let worker: Worker | null = null
  let release: (() => void) | null = null
  let nextId = 0
  const waiting = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>()
  let broken: Error | null = null
  const breakAll = (error: Error) => {
    broken ??= error
    for (const w of waiting.values()) w.reject(broken)
    waiting.clear()
  }
  let started: Promise<Worker> | null = null
  /** Starts the worker once a slot is free. */
  const start = () =>
    (started ??= scanSlots.take().then((free) => {
      release = free
      const w = new Worker(new URL('./start-intake-worker.mjs', import.meta.url), {
        workerData: opts,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      })
      w.on('message', (reply: WorkerReply) => {
        const waiter = waiting.get(reply.id)
        if (!waiter) return
        waiting.delete(reply.id)
        if (reply.type === 'error') waiter.reject(new ScanWorkerError(`intake worker failed: ${reply.message}`))
        else waiter.resolve(reply)
      })
      w.on('error', (error) => breakAll(new ScanWorkerError(`intake worker: ${(error as Error)?.message ?? String(error)}`)))
      w.on('exit', (code) => {
        breakAll(new ScanWorkerError(`intake worker exited (code ${code})`))
        release?.()
      })
      worker = w
      return w
    }))
  let closed: Promise<void> | null = null

  async function ask(request: WorkerRequest): Promise<WorkerReply> {
    const w = await start()
    if (broken) throw broken
    return new Promise<WorkerReply>((resolve, reject) => {
      waiting.set(request.id, { resolve, reject })
      // A copy the worker owns (a Buffer's slice() would share memory: the chunk may be a view into a pooled buffer).
      if (request.type === 'write') {
        const bytes = new Uint8Array(request.bytes)
        w.postMessage({ ...request, bytes }, [bytes.buffer])
      } else w.postMessage(request)
    })
  }

  return {
    async write(bytes) {
      const reply = await ask({ type: 'write', id: nextId++, bytes })
      if (reply.type !== 'written') throw new ScanWorkerError(`intake worker: unexpected reply ${reply.type}`)
      return { rows: reply.rows, isFailed: reply.isFailed, rowsRead: reply.rowsRead }
    },
    async end(o) {
      const reply = await ask({ type: 'end', id: nextId++, isComplete: o?.isComplete ?? true })
      if (reply.type !== 'ended') throw new ScanWorkerError(`intake worker: unexpected reply ${reply.type}`)
      return { rows: reply.rows, summary: reply.summary }
    },
    close() {
      closed ??= (async () => {
        if (!started) return
        await started
        await worker?.terminate()
        release?.()
      })()
      return closed
    },
  }
}
