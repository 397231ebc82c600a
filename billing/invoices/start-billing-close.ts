import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { ok, type Result } from '#platform/result.ts'
import { checkPeriodClosable, closeBillingPeriod } from './close-billing-period.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

export interface CloseProgress {
  period: string
  state: 'running' | 'done' | 'failed'
  /** Steps done (days of the period, then the late-event pass), out of `total`. */
  done: number
  total: number
  startedAt: number
  finishedAt: number | null
  invoiceCount: number | null
  alreadyClosed: boolean
  error: { code: string; message: string } | null
}

// Closes started from the UI, per process (the UI and the gateway share one copy of this module: ADR 0006).
const runs = new Map<string, CloseProgress>()
const KEEP = 24

/**
 * Starts closing a period in the background and answers at once, so a page can show the close's progress
 * (`getBillingCloseProgress`). The checks that can refuse it (not ended, out of order) run before it starts.
 */
export async function startBillingClose(
  db: Db,
  opts: { period: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<CloseProgress>> {
  const denied = refuseUnlessPermitted(opts.actor, 'billing_period.close')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const running = runs.get(opts.period)
  if (running?.state === 'running') return ok(running)
  const checked = await checkPeriodClosable(db, { period: opts.period, now })
  if (!checked.ok) return checked
  const progress: CloseProgress = {
    period: opts.period,
    state: 'running',
    done: 0,
    total: 0,
    startedAt: Date.now(),
    finishedAt: null,
    invoiceCount: null,
    alreadyClosed: false,
    error: null,
  }
  runs.delete(opts.period)
  runs.set(opts.period, progress)
  while (runs.size > KEEP) runs.delete(runs.keys().next().value!)
  void closeBillingPeriod(db, {
    period: opts.period,
    actor: opts.actor,
    requestId: opts.requestId,
    now,
    onProgress: (done, total) => {
      progress.done = done
      progress.total = total
    },
  }).then(
    (result) => {
      progress.finishedAt = Date.now()
      if (result.ok) {
        progress.state = 'done'
        progress.invoiceCount = result.value.invoices.length
        progress.alreadyClosed = result.value.alreadyClosed
      } else {
        progress.state = 'failed'
        progress.error = { code: result.error.code, message: result.error.message }
      }
    },
    (error: unknown) => {
      progress.finishedAt = Date.now()
      progress.state = 'failed'
      progress.error = { code: 'internal_error', message: errorText(error) }
    },
  )
  return ok({ ...progress })
}

/** The progress of the latest close of `period` started in this process, or null. */
export function getBillingCloseProgress(period: string): CloseProgress | null {
  const p = runs.get(period)
  return p ? { ...p } : null
}
