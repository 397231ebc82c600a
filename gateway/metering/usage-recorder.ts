import type { Db } from '#db/client.ts'
import { apiKeys, rejectedCalls, usageEvents } from '#db/schema/index.ts'
import { eq } from 'drizzle-orm'

export type UsageEventRow = typeof usageEvents.$inferInsert
export type RejectedCallRow = typeof rejectedCalls.$inferInsert

interface Waiter {
  row: UsageEventRow
  resolve: () => void
  reject: (error: unknown) => void
}

// 15 columns × 500 rows stays far below SQLite's bound-parameter limit.
const ROWS_PER_STATEMENT = 500

/**
 * Group commit for usage events (docs/decisions/0002-embedded-sqlite-wal-and-group-commit.md).
 * `record` resolves only after the event's row is committed; the gateway awaits
 * it before writing the response, so no answered call lacks its event. Events
 * arriving in the same turn of the event loop share one commit.
 */
export class UsageRecorder {
  #pending: Waiter[] = []
  #rejected: RejectedCallRow[] = []
  #lastUsed = new Map<string, number>()
  #scheduled = false
  #flushing: Promise<void> = Promise.resolve()
  #lastUsedTimer: NodeJS.Timeout
  #closed = false
  committedEvents = 0

  constructor(
    private readonly db: Db,
    opts: { lastUsedFlushMs?: number } = {},
  ) {
    this.#lastUsedTimer = setInterval(() => void this.flushLastUsed().catch(() => undefined), opts.lastUsedFlushMs ?? 5000)
    this.#lastUsedTimer.unref()
  }

  record(row: UsageEventRow): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('usage recorder is closed'))
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ row, resolve, reject })
      this.#lastUsed.set(row.apiKeyId, row.at)
      this.#schedule()
    })
  }

  /** Rejected calls are logged for supervision, not billed, and not awaited by the response. */
  logRejected(row: RejectedCallRow): void {
    if (this.#closed) return
    this.#rejected.push(row)
    this.#schedule()
  }

  #schedule() {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#flushing = this.#flushing.then(() => this.#flushOnce())
    })
  }

  async #flushOnce(): Promise<void> {
    const waiters = this.#pending
    const rejected = this.#rejected
    this.#pending = []
    this.#rejected = []
    if (waiters.length === 0 && rejected.length === 0) return
    const statements = []
    for (let i = 0; i < waiters.length; i += ROWS_PER_STATEMENT) {
      statements.push(this.db.insert(usageEvents).values(waiters.slice(i, i + ROWS_PER_STATEMENT).map((w) => w.row)))
    }
    for (let i = 0; i < rejected.length; i += ROWS_PER_STATEMENT) {
      statements.push(this.db.insert(rejectedCalls).values(rejected.slice(i, i + ROWS_PER_STATEMENT)))
    }
    try {
      await this.db.batch(statements as [(typeof statements)[number], ...typeof statements])
      this.committedEvents += waiters.length
      for (const w of waiters) w.resolve()
    } catch (error) {
      // Nothing was committed: every caller answers 5xx, so nothing acknowledged is lost.
      for (const w of waiters) w.reject(error)
    }
  }

  async flushLastUsed(): Promise<void> {
    if (this.#lastUsed.size === 0) return
    const entries = [...this.#lastUsed]
    this.#lastUsed.clear()
    const statements = entries.map(([id, at]) => this.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)))
    await this.db.batch(statements as [(typeof statements)[number], ...typeof statements])
  }

  /** Waits for every pending event to be committed. Used at shutdown. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#lastUsedTimer)
    while (this.#scheduled || this.#pending.length > 0 || this.#rejected.length > 0) {
      await new Promise((r) => setImmediate(r))
      await this.#flushing
    }
    await this.#flushing
    await this.flushLastUsed()
  }
}
