import { Worker } from 'node:worker_threads'
import { createSlots } from '#platform/concurrency/slots.ts'
import type { Result } from '#platform/result.ts'
import type { ReadAndFitInput, ReadAndFitOutput } from './read-and-fit.ts'

/** Models fitted at once per process: the machine has two cores, and the API must keep one. Later ones wait their turn. */
const MAX_FITS = 1
/** A fit holds the rows read (≤ 200,000 small ones), the sample (≤ 13,334 × a few dozen columns) and the learner's matrices. */
const WORKER_HEAP_MB = 512

export class FitWorkerError extends Error {
  override name = 'FitWorkerError'
}

const fitSlots = createSlots(MAX_FITS)

/**
 * Reads, encodes and fits a model in a worker thread (ADR 0044 addendum): reading 100,000+ rows, hashing them for the
 * seeded sample, a logistic regression over 10,000 rows and the membership test take seconds of CPU, which on the main
 * thread would stall every metered call the process serves. One fit at a time per process; the worker exits after its
 * one answer.
 */
export async function fitOffThread(input: ReadAndFitInput): Promise<Result<ReadAndFitOutput>> {
  const release = await fitSlots.take()
  try {
    return await new Promise<Result<ReadAndFitOutput>>((resolve, reject) => {
      let settled = false
      const worker = new Worker(new URL('./start-fit-worker.mjs', import.meta.url), {
        workerData: input,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      })
      worker.once('message', (reply: { ok: true; output: Result<ReadAndFitOutput> } | { ok: false; message: string }) => {
        settled = true
        if (reply.ok) resolve(reply.output)
        else reject(new FitWorkerError(`model fitting failed: ${reply.message}`))
      })
      worker.once('error', (error) => {
        if (settled) return
        settled = true
        reject(new FitWorkerError(`model fitting worker: ${(error as Error)?.message ?? String(error)}`))
      })
      worker.once('exit', (code) => {
        if (settled) return
        settled = true
        reject(new FitWorkerError(`model fitting worker exited (code ${code}) before answering`))
      })
    })
  } finally {
    release()
  }
}
