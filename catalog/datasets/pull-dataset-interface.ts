import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { getSourceSystems } from '#source-systems/source-systems.ts'
import { commitGoodLoad, findLoadTarget, recordBadLoad, sha256, type LoadOutcome } from './load-target.ts'
import { validateRows } from './validate-rows.ts'
import { refuseUnlessPermitted, sourceUnitScope } from '#platform/identity/permissions.ts'

export interface PullOptions {
  /** Attempts in all (default 3). */
  attempts?: number
  /** Wait before the 2nd attempt; doubled before each next one (default 200 ms: 200, 400, 800…). */
  backoffMs?: number
  /** Per-attempt limit for the whole answer, headers and body (default 10 s). */
  timeoutMs?: number
  /** Replaces the source systems' request (tests). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>
  sleep?: (ms: number) => Promise<void>
}

class PullError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** One GET with a hard deadline on headers and body. */
async function fetchOnce(
  url: string,
  fetchFn: (url: string, init: RequestInit) => Promise<Response>,
  timeoutMs: number,
): Promise<string> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new PullError(`timed out after ${timeoutMs} ms`, true))
    }, timeoutMs)
  })
  try {
    return await Promise.race([
      (async () => {
        let response: Response
        try {
          response = await fetchFn(url, { headers: { accept: 'application/json' }, signal: controller.signal })
        } catch (error) {
          throw new PullError(`network error: ${(error as Error).message}`, true)
        }
        if (!response.ok) {
          // 5xx and 429 are worth another try; other refusals will not change by retrying.
          throw new PullError(`HTTP ${response.status}`, response.status >= 500 || response.status === 429)
        }
        return await response.text()
      })(),
      deadline,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Pulls an `interface` dataset from its source unit's HTTP interface (a JSON
 * array of records) and loads it (Art. 16). Retries with exponential backoff and
 * a per-attempt timeout. A failed or invalid pull is recorded and changes
 * nothing: the last good data stays.
 */
export async function pullDatasetInterface(
  db: Db,
  opts: PullOptions & {
    actor: Actor
    requestId?: string | null
    datasetCode: string
    trigger?: 'manual' | 'schedule' | 'cli'
    sourceUnitId?: string | null
    now?: number
  },
): Promise<Result<LoadOutcome>> {
  const denied = refuseUnlessPermitted(opts.actor, 'dataset.pull_interface')
  if (denied) return denied
  const startedAt = opts.now ?? Date.now()
  const target = await findLoadTarget(db, {
    datasetCode: opts.datasetCode,
    mode: 'interface',
    now: startedAt,
    // A source-unit actor loads only its own datasets, whatever the caller passed (another's: not found).
    sourceUnitId: sourceUnitScope(opts.actor) ?? opts.sourceUnitId,
  })
  if (!target.ok) return target
  const dataset = target.value
  if (!dataset.interfaceUrl)
    return fail('conflict', 'no_interface_url', `Dataset ${dataset.code} has no interface URL to pull from`)
  const attempts = Math.max(1, opts.attempts ?? 3)
  const backoffMs = opts.backoffMs ?? 200
  const timeoutMs = opts.timeoutMs ?? 10_000
  const fetchFn = opts.fetch ?? (await getSourceSystems()).fetchInterface
  const sleep = opts.sleep ?? defaultSleep
  const base = {
    actor: opts.actor,
    requestId: opts.requestId,
    dataset,
    mode: 'interface' as const,
    trigger: opts.trigger ?? 'manual',
    startedAt,
  }

  let body: string | null = null
  let lastError = ''
  let made = 0
  for (let attempt = 1; attempt <= attempts; attempt++) {
    made = attempt
    try {
      body = await fetchOnce(dataset.interfaceUrl, fetchFn, timeoutMs)
      break
    } catch (error) {
      const pullError = error instanceof PullError ? error : new PullError(String(error), false)
      lastError = pullError.message
      if (!pullError.retryable || attempt === attempts) break
      await sleep(backoffMs * 2 ** (attempt - 1))
    }
  }
  if (body === null) {
    return ok(
      await recordBadLoad(db, {
        ...base,
        state: 'failed',
        checksum: null,
        attempts: made,
        error: `pull failed after ${made} attempt(s): ${lastError}`,
      }),
    )
  }
  const checksum = sha256(body)
  let rows: unknown
  try {
    rows = JSON.parse(body)
  } catch {
    return ok(
      await recordBadLoad(db, {
        ...base,
        state: 'failed',
        checksum,
        attempts: made,
        error: 'the interface did not answer valid JSON',
      }),
    )
  }
  if (!Array.isArray(rows)) {
    return ok(
      await recordBadLoad(db, {
        ...base,
        state: 'failed',
        checksum,
        attempts: made,
        error: 'the interface must answer a JSON array of records',
      }),
    )
  }
  if (rows.length === 0) {
    // An empty answer is far more often a fault upstream than a real empty dataset: keep the last good data.
    return ok(
      await recordBadLoad(db, { ...base, state: 'failed', checksum, attempts: made, error: 'the interface answered no records' }),
    )
  }
  const checked = validateRows(rows, dataset.fields)
  if (checked.badRows > 0) {
    return ok(
      await recordBadLoad(db, {
        ...base,
        state: 'rejected',
        checksum,
        attempts: made,
        error: `${checked.badRows} of ${rows.length} rows are invalid; nothing was loaded`,
        rowsTotal: rows.length,
        rowsRejected: checked.badRows,
        problems: checked.problems,
        problemCount: checked.problemCount,
      }),
    )
  }
  return ok(await commitGoodLoad(db, { ...base, checksum, attempts: made, rows: checked.rows }))
}
