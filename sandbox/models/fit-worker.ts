import { parentPort, workerData } from 'node:worker_threads'
import { readAndFit, type ReadAndFitInput } from './read-and-fit.ts'

// The model-fitting worker thread: fits one model and answers once (fit-off-thread.ts starts it through
// start-fit-worker.mjs). The main thread, which serves the API, only reads the rows before and stores the result after.

const port = parentPort
if (!port) throw new Error('fit-worker.ts runs as a worker thread')
try {
  port.postMessage({ ok: true, output: readAndFit(workerData as ReadAndFitInput) })
} catch (error) {
  port.postMessage({ ok: false, message: (error as Error)?.stack ?? String(error) })
}
