import { and, desc, eq, gt, lt, or, isNull, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { signInThrottles, type SignInThrottleScope } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { isPermitted, refuseUnlessPermitted } from './permissions.ts'
import { FAMILIAR_ADDRESS_MS } from './policy.ts'
import { normalizeUsername } from './sign-in-throttle.ts'

/** Who may see sign-in locks: those who may lift them (permissions.ts `sign_in_lock.lift`). */
const canSeeLocks = (actor: Actor) => isPermitted(actor, 'sign_in_lock.lift')

export interface SignInLock {
  scope: SignInThrottleScope
  subject: string
  username: string | null
  address: string | null
  attempts: number
  refused: number
  blockedUntil: number
  lastAttemptAt: number
}

/** Locks (account × address) and delays (address, account) in force now, newest first. */
export async function listSignInLocks(db: Db, opts: { actor: Actor; now?: number }): Promise<Result<SignInLock[]>> {
  if (!canSeeLocks(opts.actor)) return fail('forbidden', 'forbidden', 'Not an administrator')
  const now = opts.now ?? Date.now()
  const rows = await db
    .select()
    .from(signInThrottles)
    .where(gt(signInThrottles.blockedUntil, now))
    .orderBy(desc(signInThrottles.lastAttemptAt))
    .limit(500)
  return ok(
    rows.map((r) => ({
      scope: r.scope,
      subject: r.subject,
      username: r.username,
      address: r.address,
      attempts: r.attempts,
      refused: r.refused,
      blockedUntil: r.blockedUntil!,
      lastAttemptAt: r.lastAttemptAt,
    })),
  )
}

export type LockSelector = { scope: SignInThrottleScope; subject: string } | { username: string } | { address: string }

/**
 * Lifts locks and delays: one (scope + subject), every one of an account (its pairs and its own delay) or of an
 * address. The counts start again from zero; an address stays familiar. Each row lifted is audited.
 */
export async function liftSignInLocks(
  db: Db,
  opts: { select: LockSelector; actor: Actor; requestId?: string; now?: number },
): Promise<Result<{ lifted: number }>> {
  const refused = refuseUnlessPermitted(opts.actor, 'sign_in_lock.lift')
  if (refused) return refused
  const now = opts.now ?? Date.now()
  const s = opts.select
  const which: SQL | undefined =
    'scope' in s
      ? and(eq(signInThrottles.scope, s.scope), eq(signInThrottles.subject, s.subject))
      : 'username' in s
        ? and(
            eq(signInThrottles.username, normalizeUsername(s.username)),
            or(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.scope, 'account')),
          )
        : and(
            eq(signInThrottles.address, s.address),
            or(eq(signInThrottles.scope, 'account_address'), eq(signInThrottles.scope, 'address')),
          )
  const rows = await db
    .select()
    .from(signInThrottles)
    .where(and(which, gt(signInThrottles.blockedUntil, now)))
  if (rows.length === 0) return fail('not_found', 'lock_not_found', 'No lock in force matches')
  for (const row of rows) {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'auth.sign_in_lock_lifted',
        objectType: 'sign_in_lock',
        objectId: `${row.scope}:${row.subject}`,
        requestId: opts.requestId,
        detail: { scope: row.scope, username: row.username, address: row.address, blockedUntil: row.blockedUntil },
      },
      [
        db
          .update(signInThrottles)
          .set({ attempts: 0, refused: 0, blockedUntil: null, windowStartedAt: now })
          .where(and(eq(signInThrottles.scope, row.scope), eq(signInThrottles.subject, row.subject))),
      ],
    )
  }
  return ok({ lifted: rows.length })
}

/** Forgets counts nobody has touched for a day, keeping the addresses that are still familiar (an hourly job). */
export async function pruneSignInThrottles(db: Db, opts: { now?: number } = {}): Promise<{ deleted: number }> {
  const now = opts.now ?? Date.now()
  const deleted = await db
    .delete(signInThrottles)
    .where(
      and(
        lt(signInThrottles.lastAttemptAt, now - 86_400_000),
        or(isNull(signInThrottles.blockedUntil), lt(signInThrottles.blockedUntil, now)),
        or(isNull(signInThrottles.lastSuccessAt), lt(signInThrottles.lastSuccessAt, now - FAMILIAR_ADDRESS_MS)),
      ),
    )
    .returning({ scope: signInThrottles.scope })
  return { deleted: deleted.length }
}
