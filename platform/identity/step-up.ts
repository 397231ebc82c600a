import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkSecondFactorCode, type SecondFactorKind } from './check-second-factor-code.ts'
import { MAX_FAILED_ATTEMPTS, STEP_UP_MAX_AGE_MS } from './policy.ts'
import { hashSessionToken } from './sign-in.ts'
import { countPairAttempt, normalizeAddress, pairSuccessStatements } from './sign-in-throttle.ts'

/**
 * True when a consequential action may go ahead in this session: the user has no second factor (only possible where
 * none is required: demo mode, or a role for which it is optional), or checked one within the last 5 minutes.
 */
export function isStepUpFresh(
  user: { hasTwoFactor: boolean; twoFactorVerifiedAt: number | null },
  now: number = Date.now(),
): boolean {
  if (!user.hasTwoFactor) return true
  return user.twoFactorVerifiedAt !== null && now - user.twoFactorVerifiedAt <= STEP_UP_MAX_AGE_MS
}

/**
 * Step-up: a fresh TOTP (or an unused recovery code) in an active session, for the next 5 minutes of consequential
 * actions. Wrong codes count on the (account, address) pair like wrong passwords.
 */
export async function stepUp(
  db: Db,
  opts: { token: string; code: string; address?: string | null; requestId?: string; now?: number },
): Promise<Result<{ secondFactor: SecondFactorKind }>> {
  const now = opts.now ?? Date.now()
  const address = normalizeAddress(opts.address)
  const tokenHash = hashSessionToken(opts.token)
  const [row] = await db
    .select({ userId: users.id, username: users.username, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.endedAt), eq(sessions.stage, 'active')))
    .limit(1)
  if (!row) return fail('unauthorized', 'not_signed_in', 'Not signed in')
  const actor: Actor = { id: row.userId, label: row.username, role: row.role }
  const pair = await countPairAttempt(db, { username: row.username, address, now })
  const audit = (action: string, detail: Record<string, unknown>, changes: Parameters<typeof recordAudit>[2] = []) =>
    recordAudit(
      db,
      { actor, action, objectType: 'user', objectId: row.userId, requestId: opts.requestId, detail: { address, ...detail } },
      changes,
    )
  if (pair.attempts > MAX_FAILED_ATTEMPTS) {
    await audit('auth.sign_in_refused_locked', { attempts: pair.attempts, step: 'step_up' })
    return fail('locked', 'account_locked', 'Too many failed attempts from this address', {
      lockedUntil: String(pair.lockedUntil ?? now),
    })
  }
  const matched = await checkSecondFactorCode(db, { userId: row.userId, code: opts.code, now })
  if (!matched) {
    const locks = pair.attempts === MAX_FAILED_ATTEMPTS
    await audit(locks ? 'auth.account_locked' : 'auth.step_up_failed', { attempts: pair.attempts })
    return locks
      ? fail('locked', 'account_locked', 'Too many failed attempts', { lockedUntil: String(pair.lockedUntil ?? now) })
      : fail('unauthorized', 'invalid_code', 'Wrong code')
  }
  await audit('auth.step_up', { secondFactor: matched }, [
    db.update(sessions).set({ twoFactorVerifiedAt: now }).where(eq(sessions.tokenHash, tokenHash)),
    ...pairSuccessStatements(db, { username: row.username, address, now }),
  ])
  return ok({ secondFactor: matched })
}
