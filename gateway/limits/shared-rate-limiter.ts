import type { Db } from '#db/client.ts'
import { limitSqlOf, whenReady, type LimitRow, type LimitSql } from './limit-sql.ts'
import type { RateDecision } from './sliding-window-limiter.ts'

const WINDOW_SECONDS = 60
/** The most permits one draw asks for (a process calling thousands of times a second draws a few times a second). */
export const RATE_MAX_BATCH = 1024

/**
 * One statement draws permits for the current second: the window is the sum of the subscription's last 60 seconds
 * (the same sliding minute in one-second buckets as SlidingWindowLimiter), and a draw is granted at most what the plan
 * leaves and at most half of it, rounded up (`(limit - window + 1) / 2`), so one process cannot take the whole rest of
 * a minute while another is refused. `granted`, `taken_before` and the oldest counted second come back from the
 * same statement: nothing else can write between the read and the write.
 */
const DRAW_SQL = `INSERT INTO gateway_limit_ledger (kind, subscription_id, period, taken, granted, taken_before)
SELECT 'rate', ?1, s, g, g, w FROM (
  SELECT s, w, max(0, min(CAST(?3 AS INTEGER), (CAST(?4 AS INTEGER) - w + 1) / 2)) AS g FROM (
    SELECT CAST(?2 AS INTEGER) AS s, coalesce(sum(taken), 0) AS w FROM gateway_limit_ledger
    WHERE kind = 'rate' AND subscription_id = ?1 AND period > CAST(?2 AS INTEGER) - ${WINDOW_SECONDS} AND period <= CAST(?2 AS INTEGER)))
WHERE true
ON CONFLICT (kind, subscription_id, period) DO UPDATE SET
  taken = taken + excluded.taken, granted = excluded.granted, taken_before = excluded.taken_before
RETURNING granted, taken_before, (
  SELECT min(o.period) FROM gateway_limit_ledger AS o WHERE o.kind = 'rate' AND o.subscription_id = ?1
    AND o.period > CAST(?2 AS INTEGER) - ${WINDOW_SECONDS} AND o.period <= CAST(?2 AS INTEGER) AND o.taken > 0) AS oldest`

const GIVE_BACK_SQL = `UPDATE gateway_limit_ledger SET taken = max(0, taken - CAST(?3 AS INTEGER))
WHERE kind = 'rate' AND subscription_id = ?1 AND period = CAST(?2 AS INTEGER)`

const SWEEP_SQL = `DELETE FROM gateway_limit_ledger WHERE kind = 'rate' AND period < CAST(?1 AS INTEGER)`

/** This process's permits of one subscription for one second. */
interface Lease {
  second: number
  /** Drawn and not yet used. */
  permits: number
  /** Drawn in this second, and used in it. */
  drawn: number
  used: number
  /** Calls this process let through in the second before: the size of its first draw. */
  previousUsed: number
  /** The window's total right after the last draw (others' calls and all of ours, used or not). */
  windowAfter: number
  /** The oldest second with a counted call, when last drawn. */
  oldest: number
  /** A draw was refused in this second: refuse without asking again until the next second. */
  exhausted: boolean
}

/**
 * A plan's rate limit over every gateway process on the database (ADR 0043): calls per subscription over a sliding
 * 60-second window in one-second buckets, held in `gateway_limit_ledger`. A process takes permits for the current
 * second in small batches (the first draw of a second asks for what it used the second before, then it doubles) and
 * hands back what it did not use once the second is over. Every permit is counted before it is used, so the
 * processes together never answer more than the plan in any window; what a process holds unused for the rest of a
 * second may refuse another's call that second (the bound the other way, ADR 0043).
 * On the native connection a call that finds a permit at hand costs no I/O, and a draw is one synchronous statement.
 */
export class SharedRateLimiter {
  readonly #sql: LimitSql
  readonly #leases = new Map<string, Lease>()
  #sweepAt = 0

  constructor(db: Db) {
    this.#sql = limitSqlOf(db)
  }

  take(subscriptionId: string, limit: number, now: number): RateDecision | Promise<RateDecision> {
    const second = Math.floor(now / 1000)
    let lease = this.#leases.get(subscriptionId)
    if (!lease || lease.second !== second) {
      const previousUsed = lease && lease.second === second - 1 ? lease.used : 0
      if (lease) this.#giveBack(subscriptionId, lease)
      lease = {
        second,
        permits: 0,
        drawn: 0,
        used: 0,
        previousUsed,
        windowAfter: 0,
        oldest: second,
        exhausted: false,
      }
      this.#leases.set(subscriptionId, lease)
    }
    if (lease.permits > 0) return this.#use(lease, limit, now)
    if (lease.exhausted) return refusal(lease, limit, now)
    const want = Math.min(RATE_MAX_BATCH, Math.max(1, lease.previousUsed, lease.drawn))
    const current = lease
    return whenReady(this.#sql.all(DRAW_SQL, [subscriptionId, second, want, limit]), (rows) =>
      this.#drawn(subscriptionId, current, rows, limit, now),
    )
  }

  #drawn(
    subscriptionId: string,
    lease: Lease,
    rows: LimitRow[],
    limit: number,
    now: number,
  ): RateDecision | Promise<RateDecision> {
    const row = rows[0]
    const granted = Number(row?.granted ?? 0)
    if (this.#leases.get(subscriptionId) !== lease) {
      // The second ended while this draw was under way (client path): its permits go back, and the call asks anew.
      if (granted > 0) this.#giveBackPermits(subscriptionId, lease.second, granted)
      return this.take(subscriptionId, limit, now)
    }
    lease.drawn += granted
    lease.permits += granted
    lease.windowAfter = Number(row?.taken_before ?? 0) + granted
    lease.oldest = row?.oldest == null ? lease.second : Number(row.oldest)
    if (lease.permits > 0) return this.#use(lease, limit, now)
    lease.exhausted = true
    return refusal(lease, limit, now)
  }

  #use(lease: Lease, limit: number, now: number): RateDecision {
    lease.permits--
    lease.used++
    return {
      allowed: true,
      limit,
      remaining: Math.max(0, limit - lease.windowAfter + lease.permits),
      resetSeconds: resetSecondsOf(lease, now),
    }
  }

  #giveBack(subscriptionId: string, lease: Lease): Promise<unknown> | undefined {
    const permits = lease.permits
    lease.permits = 0
    return permits > 0 ? this.#giveBackPermits(subscriptionId, lease.second, permits) : undefined
  }

  #giveBackPermits(subscriptionId: string, second: number, permits: number): Promise<unknown> | undefined {
    // A failed give-back leaves the permits counted until they leave the window: the error is on the safe side.
    try {
      const done = this.#sql.run(GIVE_BACK_SQL, [subscriptionId, second, permits])
      return done instanceof Promise ? done.catch(() => undefined) : undefined
    } catch {
      return undefined
    }
  }

  /**
   * Off the hot path (the gateway's limit timer): hands back the permits of seconds that are over, forgets idle
   * subscriptions and, once a minute, deletes ledger rows past the window.
   */
  async maintain(now: number): Promise<void> {
    const second = Math.floor(now / 1000)
    for (const [subscriptionId, lease] of this.#leases) {
      if (lease.second >= second) continue
      await this.#giveBack(subscriptionId, lease)
      if (second - lease.second > 1 && this.#leases.get(subscriptionId) === lease) this.#leases.delete(subscriptionId)
    }
    if (second >= this.#sweepAt) {
      this.#sweepAt = second + WINDOW_SECONDS
      await this.#sql.run(SWEEP_SQL, [second - 2 * WINDOW_SECONDS])
    }
  }

  /** Hands back every permit still held (a clean stop). */
  async close(): Promise<void> {
    const pending = [...this.#leases].map(([subscriptionId, lease]) => this.#giveBack(subscriptionId, lease))
    this.#leases.clear()
    await Promise.all(pending)
  }
}

function resetSecondsOf(lease: Lease, now: number): number {
  return Math.max(1, Math.ceil(((lease.oldest + WINDOW_SECONDS) * 1000 - now) / 1000))
}

function refusal(lease: Lease, limit: number, now: number): RateDecision {
  return { allowed: false, limit, remaining: 0, resetSeconds: resetSecondsOf(lease, now) }
}
