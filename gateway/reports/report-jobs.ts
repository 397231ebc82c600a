import type { Db } from '#db/client.ts'
import type { LoadDatasetRules } from '../products/dataset-rules.ts'
import { runReportExport } from './run-report-export.ts'

// Report exports run in this process, after the call that created them has been answered. The promises are kept
// so a shutdown (or a test) can wait for them: `drainReportExports()`.
const running = new Map<string, Promise<void>>()

export function scheduleReportExport(db: Db, id: string, deps: { datasetRules: LoadDatasetRules; now?: () => number }): void {
  if (running.has(id)) return
  const job = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => runReportExport(db, id, deps))
    .then(
      () => undefined,
      // runReportExport records its own failures on the job; this only fires when even that was impossible
      // (the database was closed under it). Nothing to report to anyone then.
      () => undefined,
    )
    .finally(() => running.delete(id))
  running.set(id, job)
}

/** Whether this process is running the export now. */
export const isReportExportRunning = (id: string): boolean => running.has(id)

/** Resolves when every export started in this process has finished. */
export async function drainReportExports(): Promise<void> {
  while (running.size > 0) await Promise.all([...running.values()])
}
