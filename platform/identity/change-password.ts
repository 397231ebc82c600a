import { and, eq, isNull, ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.ts'
import { MAX_FAILED_ATTEMPTS } from './policy.ts'
import { hashSessionToken } from './sign-in.ts'
import { countPairAttempt, normalizeAddress, pairSuccessStatements } from './sign-in-throttle.ts'

/**
 * A user changes their own password: the current one first (a wrong one counts on the (account, address) pair like a
 * failed sign-in, so a left-open session cannot be used to guess it), then the rules (GB/T 22239 level 3). Clears a
 * first-sign-in or expiry demand, and ends the user's other sessions.
 */
export async function changePassword(
  db: Db,
  opts: {
    userId: string
    currentPassword: string
    newPassword: string
    actor: Actor
    /** This session stays signed in; every other one of the user ends. */
    sessionToken?: string
    address?: string | null
    requestId?: string
    now?: number
  },
): Promise<Result<{ changedAt: number }>> {
  const now = opts.now ?? Date.now()
  if (opts.actor.id !== opts.userId) return fail('forbidden', 'forbidden', 'Only the user changes their own password')
  const [user] = await db
    .select({ username: users.username, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, opts.userId))
    .limit(1)
  if (!user) return fail('not_found', 'user_not_found', 'No such user')
  const address = normalizeAddress(opts.address)
  const pair = await countPairAttempt(db, { username: user.username, address, now })
  if (pair.attempts > MAX_FAILED_ATTEMPTS) {
    return fail('locked', 'account_locked', 'Too many failed attempts from this address', {
      lockedUntil: String(pair.lockedUntil ?? now),
    })
  }
  if (!(await verifyPassword(opts.currentPassword, user.passwordHash))) {
    await recordAudit(db, {
      actor: opts.actor,
      action: pair.attempts === MAX_FAILED_ATTEMPTS ? 'auth.account_locked' : 'auth.password_change_failed',
      objectType: 'user',
      objectId: opts.userId,
      requestId: opts.requestId,
      detail: { address, attempts: pair.attempts },
    })
    return fail('validation', 'validation_failed', 'The current password is wrong', { currentPassword: 'wrong_password' })
  }
  const problem = checkPasswordPolicy(opts.newPassword, { username: user.username })
  if (problem) return fail('validation', 'validation_failed', 'The new password breaks a rule', { newPassword: problem })
  if (opts.newPassword === opts.currentPassword) {
    return fail('validation', 'validation_failed', 'The new password is the current one', { newPassword: 'password_unchanged' })
  }
  const keep = opts.sessionToken ? hashSessionToken(opts.sessionToken) : null
  await recordAudit(
    db,
    { actor: opts.actor, action: 'auth.password_changed', objectType: 'user', objectId: opts.userId, requestId: opts.requestId },
    [
      db
        .update(users)
        .set({ passwordHash: await hashPassword(opts.newPassword), passwordChangedAt: now, mustChangePassword: false })
        .where(eq(users.id, opts.userId)),
      db
        .update(sessions)
        .set({ endedAt: now })
        .where(and(eq(sessions.userId, opts.userId), isNull(sessions.endedAt), ...(keep ? [ne(sessions.tokenHash, keep)] : []))),
      ...pairSuccessStatements(db, { username: user.username, address, now }),
    ],
  )
  return ok({ changedAt: now })
}
