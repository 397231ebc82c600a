import { and, eq, sql } from 'drizzle-orm'
import ipaddr from 'ipaddr.js'
import type { Db } from '#db/client.ts'
import { signInThrottles } from '#db/schema/index.ts'
import {
  ACCOUNT_FREE_ATTEMPTS,
  ACCOUNT_MAX_DELAY_MS,
  ADDRESS_FREE_ATTEMPTS,
  ADDRESS_MAX_DELAY_MS,
  FAMILIAR_ADDRESS_MS,
  LOCKOUT_MS,
  MAX_FAILED_ATTEMPTS,
  THROTTLE_BASE_DELAY_MS,
  THROTTLE_WINDOW_MS,
} from './policy.ts'

// The three counts of sign-in throttling (docs/decisions/0020-sign-in-throttling-and-two-factor.md). Each count is
// one SQL statement (an upsert with RETURNING), never a read then a write, so parallel attempts all count and the
// decision for each is taken on the count it produced.

/** The source address as it is counted: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 (one customer's network). */
export function normalizeAddress(raw: string | null | undefined): string {
  if (!raw || !ipaddr.isValid(raw)) return 'unknown'
  let address = ipaddr.parse(raw)
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address()
  }
  if (address.kind() === 'ipv4') return address.toString()
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4)
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`
}

/** Usernames are lower case (create-user.ts), so `Bureau` and `bureau` count as one account. */
export const normalizeUsername = (username: string) => username.trim().toLowerCase()

const pairSubject = (username: string, address: string) => `${address}|${username}`

export interface PairCount {
  /** Attempts on this account from this address since its last success (or the end of its last lock), this one included. */
  attempts: number
  /** Set once the pair is locked (pre-set at the last allowed attempt, cleared if that one succeeds). */
  lockedUntil: number | null
}

/**
 * Counts one attempt on (account, address). Attempts 1–5 are checked; the 5th pre-sets the lock (a success clears it);
 * from the 6th on the pair is locked and the password is not even checked. A lock that has run out starts a new count.
 */
export async function countPairAttempt(db: Db, opts: { username: string; address: string; now: number }): Promise<PairCount> {
  const { username, address, now } = opts
  const lockAt = MAX_FAILED_ATTEMPTS
  const lockUntil = now + LOCKOUT_MS
  const [row] = await db.all<{ attempts: number; blocked_until: number | null }>(sql`
    INSERT INTO sign_in_throttles (scope, subject, username, address, attempts, window_started_at, last_attempt_at, blocked_until)
    VALUES ('account_address', ${pairSubject(username, address)}, ${username}, ${address}, 1, ${now}, ${now},
            ${1 >= lockAt ? lockUntil : null})
    ON CONFLICT (scope, subject) DO UPDATE SET
      attempts = CASE WHEN blocked_until IS NOT NULL AND blocked_until <= ${now} THEN 1 ELSE attempts + 1 END,
      window_started_at = CASE WHEN blocked_until IS NOT NULL AND blocked_until <= ${now} THEN ${now} ELSE window_started_at END,
      blocked_until = CASE
        WHEN blocked_until IS NOT NULL AND blocked_until > ${now} THEN blocked_until
        WHEN blocked_until IS NOT NULL THEN NULL
        WHEN attempts + 1 >= ${lockAt} THEN ${lockUntil}
        ELSE NULL END,
      last_attempt_at = ${now}
    RETURNING attempts, blocked_until`)
  return { attempts: Number(row!.attempts), lockedUntil: row!.blocked_until === null ? null : Number(row!.blocked_until) }
}

export type DelayDecision = { allowed: true; attempts: number } | { allowed: false; retryAt: number }

/**
 * Counts one attempt in a window of the address or the account, unless it comes before the delay the previous one set
 * (then it is refused, and counted in `refused` only). Past the free attempts each allowed attempt sets a delay for the
 * next: 1 s, doubling, up to `maxDelayMs`. The window restarts after THROTTLE_WINDOW_MS without an attempt.
 */
async function countDelayedAttempt(
  db: Db,
  opts: {
    scope: 'address' | 'account'
    subject: string
    username: string | null
    address: string | null
    now: number
    freeAttempts: number
    maxDelayMs: number
    /** Counted but never refused (an address this account has signed in from: ADR 0020). */
    exempt?: boolean
  },
): Promise<DelayDecision> {
  const { scope, subject, now, freeAttempts, maxDelayMs } = opts
  const stale = now - THROTTLE_WINDOW_MS
  const next = sql`(CASE WHEN last_attempt_at <= ${stale} THEN 1 ELSE attempts + 1 END)`
  // 1 s << (n - free - 1), capped: SQLite has shifts but no pow().
  const delayAfter = (n: typeof next) =>
    sql`CASE WHEN ${n} > ${freeAttempts} THEN ${now} + min(${THROTTLE_BASE_DELAY_MS} << min(${n} - ${freeAttempts} - 1, 30), ${maxDelayMs}) ELSE NULL END`
  const rows = await db.all<{ attempts: number }>(sql`
    INSERT INTO sign_in_throttles (scope, subject, username, address, attempts, window_started_at, last_attempt_at, blocked_until)
    VALUES (${scope}, ${subject}, ${opts.username}, ${opts.address}, 1, ${now}, ${now}, NULL)
    ON CONFLICT (scope, subject) DO UPDATE SET
      attempts = ${next},
      window_started_at = CASE WHEN last_attempt_at <= ${stale} THEN ${now} ELSE window_started_at END,
      refused = CASE WHEN last_attempt_at <= ${stale} THEN 0 ELSE refused END,
      blocked_until = ${delayAfter(next)},
      last_attempt_at = ${now}
    WHERE ${opts.exempt ? sql`1` : sql`blocked_until IS NULL OR blocked_until <= ${now}`}
    RETURNING attempts`)
  if (rows[0]) return { allowed: true, attempts: Number(rows[0].attempts) }
  const [refused] = await db.all<{ blocked_until: number }>(sql`
    UPDATE sign_in_throttles SET refused = refused + 1
    WHERE scope = ${scope} AND subject = ${subject}
    RETURNING blocked_until`)
  return { allowed: false, retryAt: Number(refused?.blocked_until ?? now) }
}

export const countAddressAttempt = (db: Db, opts: { address: string; now: number }) =>
  countDelayedAttempt(db, {
    scope: 'address',
    subject: opts.address,
    username: null,
    address: opts.address,
    now: opts.now,
    freeAttempts: ADDRESS_FREE_ATTEMPTS,
    maxDelayMs: ADDRESS_MAX_DELAY_MS,
  })

export const countAccountAttempt = (db: Db, opts: { username: string; now: number; exempt: boolean }) =>
  countDelayedAttempt(db, {
    scope: 'account',
    subject: opts.username,
    username: opts.username,
    address: null,
    now: opts.now,
    freeAttempts: ACCOUNT_FREE_ATTEMPTS,
    maxDelayMs: ACCOUNT_MAX_DELAY_MS,
    exempt: opts.exempt,
  })

/** True when this account signed in from this address within FAMILIAR_ADDRESS_MS. */
export async function isFamiliarAddress(db: Db, opts: { username: string; address: string; now: number }): Promise<boolean> {
  const [row] = await db
    .select({ lastSuccessAt: signInThrottles.lastSuccessAt })
    .from(signInThrottles)
    .where(
      and(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.subject, pairSubject(opts.username, opts.address))),
    )
    .limit(1)
  return row?.lastSuccessAt != null && row.lastSuccessAt > opts.now - FAMILIAR_ADDRESS_MS
}

/**
 * The statements of a full success (password and, where on, the second factor): the pair's count and lock cleared,
 * the address remembered as familiar. For the caller's audited batch.
 */
export function pairSuccessStatements(db: Db, opts: { username: string; address: string; now: number }) {
  return [
    db
      .update(signInThrottles)
      .set({ attempts: 0, blockedUntil: null, lastSuccessAt: opts.now })
      .where(
        and(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.subject, pairSubject(opts.username, opts.address))),
      ),
  ] as const
}

/**
 * The right password gives back the attempt it took from the address and the account counts (so a person signing in
 * often from one office address never runs into the delay), but never more: a success cannot buy guesses.
 */
export function refundStatements(db: Db, opts: { username: string; address: string }) {
  const refund = { attempts: sql`max(${signInThrottles.attempts} - 1, 0)` }
  return [
    db
      .update(signInThrottles)
      .set(refund)
      .where(and(eq(signInThrottles.scope, 'address'), eq(signInThrottles.subject, opts.address))),
    db
      .update(signInThrottles)
      .set(refund)
      .where(and(eq(signInThrottles.scope, 'account'), eq(signInThrottles.subject, opts.username))),
  ] as const
}
