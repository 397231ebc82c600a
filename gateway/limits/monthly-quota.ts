import { and, count, eq, gte, lt } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { usageEvents } from '#db/schema/index.ts'
import { startOfMonth, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { limitSqlOf, whenReady, type LimitRow, type LimitSql } from './limit-sql.ts'

/**
 * The most units one draw asks for: 64, or a thousandth of a large quota (at most 1,024), so that a busy subscription
 * costs a draw per hundreds of calls. Also the most a process killed with `kill -9` can leave counted (ADR 0043).
 */
export function quotaMaxBatch(quota: number): number {
  return Math.max(64, Math.min(1024, Math.floor(quota / 1000)))
}
/** Units a process holds unused this long go back to the ledger (the gateway's limit timer). */
export const QUOTA_IDLE_MS = 1000

/**
 * One statement draws units of the month: at most what the plan leaves, at most half of it rounded up, at most what
 * was asked; `granted` and `taken_before` come back from the same statement.
 */
const DRAW_SQL = `UPDATE gateway_limit_ledger SET
  granted = max(0, min(CAST(?3 AS INTEGER), (CAST(?4 AS INTEGER) - taken + 1) / 2)),
  taken_before = taken,
  taken = taken + max(0, min(CAST(?3 AS INTEGER), (CAST(?4 AS INTEGER) - taken + 1) / 2))
WHERE kind = 'quota' AND subscription_id = ?1 AND period = CAST(?2 AS INTEGER)
RETURNING granted, taken_before`

/** The month's row, seeded with the answered calls already recorded; whoever comes first writes it. */
const SEED_SQL = `INSERT INTO gateway_limit_ledger (kind, subscription_id, period, taken) VALUES ('quota', ?1, CAST(?2 AS INTEGER), CAST(?3 AS INTEGER))
ON CONFLICT (kind, subscription_id, period) DO NOTHING`

const GIVE_BACK_SQL = `UPDATE gateway_limit_ledger SET taken = max(0, taken - CAST(?3 AS INTEGER))
WHERE kind = 'quota' AND subscription_id = ?1 AND period = CAST(?2 AS INTEGER)`

interface Lease {
  monthStart: number
  nextMonthStart: number
  /** Drawn, not yet used (a call that ended unanswered puts its unit back here). */
  permits: number
  /** Drawn in all. */
  drawn: number
  /** The ledger's count right after the last draw (all processes' calls and every unit this one holds). */
  takenAfter: number
  /** A draw found the month used up: refuse without asking again for this long (ms, the call's clock). */
  refusedUntil: number
  lastUseAt: number
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
 * Monthly quota per subscription (Asia/Shanghai calendar month) over every gateway process on the database
 * (ADR 0043). The month's row of `gateway_limit_ledger` counts the units handed out; it is seeded once from the
 * month's usage events (so it holds what was answered before it existed). A process draws a few units at a time,
 * uses them for its calls, takes back the unit of a call that ends unanswered, and returns what it holds once idle
 * for QUOTA_IDLE_MS or when it stops. Every unit is counted before it is used: the processes together never answer
 * more than the quota. A process killed with `kill -9` leaves its unused units counted (at most quotaMaxBatch).
 */
export class MonthlyQuotaCounter {
  readonly #sql: LimitSql
  readonly #leases = new Map<string, Lease>()

  constructor(private readonly db: Db) {
    this.#sql = limitSqlOf(db)
  }

  take(subscriptionId: string, quota: number, now: number): QuotaDecision | Promise<QuotaDecision> {
    let lease = this.#leases.get(subscriptionId)
    if (!lease || now >= lease.nextMonthStart || now < lease.monthStart) {
      if (lease) void this.#giveBack(subscriptionId, lease)
      lease = {
        monthStart: startOfMonth(now),
        nextMonthStart: startOfNextMonth(now),
        permits: 0,
        drawn: 0,
        takenAfter: 0,
        refusedUntil: -Infinity,
        lastUseAt: now,
      }
      this.#leases.set(subscriptionId, lease)
    }
    if (lease.permits > 0) return this.#use(subscriptionId, lease, quota, now)
    if (now < lease.refusedUntil) return refusal(lease, quota)
    return this.#draw(subscriptionId, lease, quota, now, true)
  }

  #draw(
    subscriptionId: string,
    lease: Lease,
    quota: number,
    now: number,
    mayCreate: boolean,
  ): QuotaDecision | Promise<QuotaDecision> {
    const want = Math.min(quotaMaxBatch(quota), Math.max(1, lease.drawn))
    return whenReady(
      this.#sql.all(DRAW_SQL, [subscriptionId, lease.monthStart, want, quota]),
      (rows): QuotaDecision | Promise<QuotaDecision> =>
        rows.length === 0 && mayCreate
          ? this.#seed(subscriptionId, lease).then(() => this.#draw(subscriptionId, lease, quota, now, false))
          : this.#drawn(subscriptionId, lease, rows, quota, now),
    )
  }

  async #seed(subscriptionId: string, lease: Lease): Promise<void> {
    const answered = await countSubscriptionCalls(this.db, subscriptionId, lease.monthStart, lease.nextMonthStart)
    await this.#sql.run(SEED_SQL, [subscriptionId, lease.monthStart, answered])
  }

  #drawn(
    subscriptionId: string,
    lease: Lease,
    rows: LimitRow[],
    quota: number,
    now: number,
  ): QuotaDecision | Promise<QuotaDecision> {
    const row = rows[0]
    const granted = Number(row?.granted ?? 0)
    if (this.#leases.get(subscriptionId) !== lease) {
      // The month changed while this draw was under way: its units go back and the call asks anew.
      if (granted > 0) void this.#giveBackUnits(subscriptionId, lease.monthStart, granted)
      return this.take(subscriptionId, quota, now)
    }
    lease.drawn += granted
    lease.permits += granted
    lease.takenAfter = Number(row?.taken_before ?? 0) + granted
    if (lease.permits > 0) return this.#use(subscriptionId, lease, quota, now)
    lease.refusedUntil = now + QUOTA_IDLE_MS
    return refusal(lease, quota)
  }

  #use(subscriptionId: string, lease: Lease, quota: number, now: number): QuotaDecision {
    lease.permits--
    lease.lastUseAt = now
    const used = lease.takenAfter - lease.permits
    let released = false
    return {
      allowed: true,
      used,
      remaining: Math.max(0, quota - used),
      resetsAt: lease.nextMonthStart,
      release: () => {
        if (released) return
        released = true
        if (this.#leases.get(subscriptionId) === lease) {
          lease.permits++
          lease.refusedUntil = -Infinity
        } else void this.#giveBackUnits(subscriptionId, lease.monthStart, 1)
      },
    }
  }

  #giveBack(subscriptionId: string, lease: Lease): Promise<unknown> | undefined {
    const units = lease.permits
    lease.permits = 0
    return units > 0 ? this.#giveBackUnits(subscriptionId, lease.monthStart, units) : undefined
  }

  #giveBackUnits(subscriptionId: string, monthStart: number, units: number): Promise<unknown> | undefined {
    // A failed give-back leaves the units counted: the error is on the safe side (fewer calls, never more).
    try {
      const done = this.#sql.run(GIVE_BACK_SQL, [subscriptionId, monthStart, units])
      return done instanceof Promise ? done.catch(() => undefined) : undefined
    } catch {
      return undefined
    }
  }

  /** Off the hot path (the gateway's limit timer): hands back the units of subscriptions idle for QUOTA_IDLE_MS. */
  async sync(now: number): Promise<void> {
    for (const [subscriptionId, lease] of this.#leases) {
      if (now - lease.lastUseAt < QUOTA_IDLE_MS) continue
      await this.#giveBack(subscriptionId, lease)
      if (this.#leases.get(subscriptionId) === lease) this.#leases.delete(subscriptionId)
    }
  }

  /** Hands back every unit still held (a clean stop). */
  async close(): Promise<void> {
    const pending = [...this.#leases].map(([subscriptionId, lease]) => this.#giveBack(subscriptionId, lease))
    this.#leases.clear()
    await Promise.all(pending)
  }
}

function refusal(lease: Lease, quota: number): QuotaDecision {
  return {
    allowed: false,
    used: Math.min(quota, lease.takenAfter),
    remaining: 0,
    resetsAt: lease.nextMonthStart,
    release: () => undefined,
  }
}
