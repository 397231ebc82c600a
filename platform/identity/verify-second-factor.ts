import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkSecondFactorCode, type SecondFactorKind } from './check-second-factor-code.ts'
import { MAX_CODE_ATTEMPTS, MAX_FAILED_ATTEMPTS, SECOND_FACTOR_PENDING_MS } from './policy.ts'
import { hashSessionToken } from './sign-in.ts'
import { countPairAttempt, normalizeAddress, pairSuccessStatements } from './sign-in-throttle.ts'

/**
 * The second step of a sign-in with 2FA: the session the right password opened (stage `second_factor`, 5 minutes)
 * becomes an active one on a good TOTP or unused recovery code. Wrong codes count on the (account, address) pair like
 * wrong passwords, and 5 of them end the pending session, so the password must be given again.
 */
export async function verifySecondFactor(
  db: Db,
  opts: { token: string; code: string; address?: string | null; requestId?: string; now?: number },
): Promise<Result<{ secondFactor: SecondFactorKind; userId: string }>> {
  const now = opts.now ?? Date.now()
  const address = normalizeAddress(opts.address)
  const tokenHash = hashSessionToken(opts.token)
  const [row] = await db
    .select({ createdAt: sessions.createdAt, userId: users.id, username: users.username, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.endedAt), eq(sessions.stage, 'second_factor')))
    .limit(1)
  const expired = () => fail('unauthorized', 'second_factor_expired', 'Sign in again')
  if (!row || now - row.createdAt > SECOND_FACTOR_PENDING_MS) return expired()
  const actor: Actor = { id: row.userId, label: row.username, role: row.role }
  const endSession = db.update(sessions).set({ endedAt: now }).where(eq(sessions.tokenHash, tokenHash))
  const audit = (action: string, detail: Record<string, unknown>, changes: Parameters<typeof recordAudit>[2] = []) =>
    recordAudit(
      db,
      { actor, action, objectType: 'user', objectId: row.userId, requestId: opts.requestId, detail: { address, ...detail } },
      changes,
    )

  const pair = await countPairAttempt(db, { username: row.username, address, now })
  if (pair.attempts > MAX_FAILED_ATTEMPTS) {
    await audit('auth.sign_in_refused_locked', { attempts: pair.attempts, step: 'second_factor' }, [endSession])
    return fail('locked', 'account_locked', 'Too many failed attempts from this address', {
      lockedUntil: String(pair.lockedUntil ?? now),
    })
  }
  const matched = await checkSecondFactorCode(db, { userId: row.userId, code: opts.code, now })
  if (!matched) {
    const [counted] = await db
      .update(sessions)
      .set({ failedCodes: sql`${sessions.failedCodes} + 1` })
      .where(eq(sessions.tokenHash, tokenHash))
      .returning({ failedCodes: sessions.failedCodes })
    const locks = pair.attempts === MAX_FAILED_ATTEMPTS
    const ends = locks || (counted?.failedCodes ?? MAX_CODE_ATTEMPTS) >= MAX_CODE_ATTEMPTS
    await audit(
      locks ? 'auth.account_locked' : 'auth.second_factor_failed',
      { attempts: pair.attempts },
      ends ? [endSession] : [],
    )
    if (locks)
      return fail('locked', 'account_locked', 'Too many failed attempts', { lockedUntil: String(pair.lockedUntil ?? now) })
    return ends ? expired() : fail('unauthorized', 'invalid_code', 'Wrong code')
  }
  await audit('auth.sign_in', { secondFactor: matched }, [
    db
      .update(sessions)
      .set({ stage: 'active', twoFactorVerifiedAt: now, lastSeenAt: now })
      .where(eq(sessions.tokenHash, tokenHash)),
    ...pairSuccessStatements(db, { username: row.username, address, now }),
    db.update(users).set({ lastLoginAt: now }).where(eq(users.id, row.userId)),
  ])
  return ok({ secondFactor: matched, userId: row.userId })
}
