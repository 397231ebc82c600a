import { parentPort, workerData } from 'node:worker_threads'
import { DatasetFileScanner, type ScanOptions } from './scan-dataset-file.ts'
import type { WorkerReply, WorkerRequest } from './scan-file-in-worker.ts'

// The intake worker thread: decodes, parses and validates a dataset file's
// bytes as they arrive, and sends each chunk's good rows back, so that the main
// thread (which serves the API) only stores rows. Started by
// scan-file-in-worker.ts through start-intake-worker.mjs.

const port = parentPort
if (!port) throw new Error('intake-worker.ts runs as a worker thread')

const scanner = new DatasetFileScanner(workerData as ScanOptions)

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply
  try {
    if (request.type === 'write') {
      const rows = scanner.write(request.bytes)
      reply = { type: 'written', id: request.id, rows, isFailed: scanner.isFailed, rowsRead: scanner.rowsRead }
    } else {
      const { rows, summary } = scanner.end({ isComplete: request.isComplete })
      reply = { type: 'ended', id: request.id, rows, summary }
    }
  } catch (error) {
    reply = { type: 'error', id: request.id, message: (error as Error)?.stack ?? String(error) }
  }
  port.postMessage(reply)
})
