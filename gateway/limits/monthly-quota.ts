import { and, count, eq, gte, lt } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { usageEvents } from '#db/schema/index.ts'
import { startOfMonth, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'

interface Entry {
  monthStart: number
  nextMonthStart: number
  used: number
  ready: Promise<void> | null
  touched: boolean
}

export interface QuotaDecision {
  allowed: boolean
  used: number
  remaining: number
  /** Start of the next Shanghai month: when an exhausted quota opens again. */
  resetsAt: number
  /** Hand back the reserved call when it ends unanswered (nothing metered). */
  release: () => void
}

/** Answered calls of one subscription in the Shanghai month [from, to): its usage events. */
export async function countSubscriptionCalls(db: Db, subscriptionId: string, from: number, to: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(usageEvents)
    .where(and(eq(usageEvents.subscriptionId, subscriptionId), gte(usageEvents.at, from), lt(usageEvents.at, to)))
  return row?.n ?? 0
}

/**
 * Monthly quota per subscription (Asia/Shanghai calendar month). The count is
 * seeded from usage_events on the first call of a subscription-month (so it
 * survives restarts), then kept in memory: no query per call. `sync()` (run by
 * the gateway every few seconds, off the hot path) folds in what other processes
 * served meanwhile: used = max(in memory, in the database).
 */
export class MonthlyQuotaCounter {
  #entries = new Map<string, Entry>()
  constructor(private readonly db: Db) {}

  async take(subscriptionId: string, quota: number, now: number): Promise<QuotaDecision> {
    let entry = this.#entries.get(subscriptionId)
    if (!entry || now >= entry.nextMonthStart || now < entry.monthStart) {
      const monthStart = startOfMonth(now)
      const nextMonthStart = startOfNextMonth(now)
      const fresh: Entry = { monthStart, nextMonthStart, used: 0, ready: null, touched: true }
      fresh.ready = countSubscriptionCalls(this.db, subscriptionId, monthStart, nextMonthStart).then(
        (n) => {
          fresh.used += n
          fresh.ready = null
        },
        (error: unknown) => {
          if (this.#entries.get(subscriptionId) === fresh) this.#entries.delete(subscriptionId)
          throw error
        },
      )
      this.#entries.set(subscriptionId, fresh)
      entry = fresh
    }
    if (entry.ready) await entry.ready
    entry.touched = true
    const current = entry
    if (current.used >= quota) {
      return { allowed: false, used: current.used, remaining: 0, resetsAt: current.nextMonthStart, release: () => undefined }
    }
    current.used++
    let released = false
    return {
      allowed: true,
      used: current.used,
      remaining: quota - current.used,
      resetsAt: current.nextMonthStart,
      release: () => {
        if (released || this.#entries.get(subscriptionId) !== current) return
        released = true
        current.used--
      },
    }
  }

  /** Re-reads the month's count of every subscription used since the last sync (other processes' calls). */
  async sync(): Promise<void> {
    for (const [subscriptionId, entry] of this.#entries) {
      if (!entry.touched || entry.ready) continue
      entry.touched = false
      const n = await countSubscriptionCalls(this.db, subscriptionId, entry.monthStart, entry.nextMonthStart)
      if (n > entry.used) entry.used = n
    }
  }
}
