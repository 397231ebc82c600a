import type { Db } from '#db/client.ts'
import type { LoadProductDatasets } from '../products/dataset-rules.ts'
import { runReportExport } from './run-report-export.ts'

/**
 * Report exports run in this process, after the call that created them has been answered, one at a time: building
 * a report is CPU work on the same thread as the gateway, and a burst of exports must not starve the API. Jobs wait
 * in a FIFO queue; `drainReportExports()` waits for all of them (tests), `settleReportExports()` lets a shutdown wait
 * only for the one running — the queued stay `queued` in the database and resume at the next start.
 */
const MAX_RUNNING = 1

interface Job {
  id: string
  start: () => Promise<void>
  done: Promise<void>
}

const queued: Job[] = []
const running = new Map<string, Job>()
const known = new Map<string, Job>()

function pump() {
  while (running.size < MAX_RUNNING && queued.length > 0) {
    const job = queued.shift()!
    running.set(job.id, job)
    void job.start().finally(() => {
      running.delete(job.id)
      known.delete(job.id)
      pump()
    })
  }
}

export function scheduleReportExport(db: Db, id: string, deps: { datasetRules: LoadProductDatasets; now?: () => number }): void {
  if (known.has(id)) return
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const job: Job = {
    id,
    done,
    start: () =>
      new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => runReportExport(db, id, deps))
        .then(
          () => undefined,
          // runReportExport records its own failures on the job; this only fires when even that was impossible
          // (the database was closed under it). Nothing to report to anyone then.
          () => undefined,
        )
        .finally(finish),
  }
  known.set(id, job)
  queued.push(job)
  pump()
}

/** Whether this process has the export queued or running now. */
export const isReportExportRunning = (id: string): boolean => known.has(id)

/** Resolves when every export scheduled in this process has finished (queued ones included). */
export async function drainReportExports(): Promise<void> {
  while (known.size > 0) await Promise.all([...known.values()].map((job) => job.done))
}

/**
 * For a shutdown: forgets the exports not started yet (they stay `queued` in the database and resume at the next
 * start, resume-report-exports.ts) and resolves when the running one has finished.
 */
export async function settleReportExports(): Promise<void> {
  for (const job of queued.splice(0)) known.delete(job.id)
  await Promise.all([...running.values()].map((job) => job.done))
}
