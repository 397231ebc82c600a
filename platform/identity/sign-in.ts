import { randomBytes, createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, users, type Role } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password.ts'
import { LOCKOUT_MS, MAX_FAILED_ATTEMPTS } from './policy.ts'

export interface SignedIn {
  token: string
  user: { id: string; username: string; role: Role; displayName: string }
}

export const hashSessionToken = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Password sign-in with lock-out: the 5th consecutive failure locks the account
 * for 15 minutes; while locked even the right password is refused. Every
 * outcome is audited; the password is never logged.
 */
export async function signIn(
  db: Db,
  opts: { username: string; password: string; requestId?: string; now?: number },
): Promise<Result<SignedIn>> {
  const now = opts.now ?? Date.now()
  const username = opts.username.trim()
  const [user] = await db.select().from(users).where(eq(users.username, username)).limit(1)
  const anonymous: Actor = { id: null, label: username.slice(0, 64) || '(empty)', role: 'anonymous' }

  if (!user) {
    await verifyPassword(opts.password, DUMMY_PASSWORD_HASH)
    await recordAudit(db, {
      actor: anonymous,
      action: 'auth.sign_in_failed',
      objectType: 'user',
      requestId: opts.requestId,
      detail: { reason: 'unknown_user' },
    })
    return fail('unauthorized', 'invalid_credentials', 'Wrong username or password')
  }

  const actor: Actor = { id: user.id, label: user.username, role: user.role }
  if (user.lockedUntil && user.lockedUntil > now) {
    await recordAudit(db, {
      actor,
      action: 'auth.sign_in_refused_locked',
      objectType: 'user',
      objectId: user.id,
      requestId: opts.requestId,
    })
    return fail('locked', 'account_locked', 'Account locked after repeated failures', {
      lockedUntil: String(user.lockedUntil),
    })
  }

  if (!(await verifyPassword(opts.password, user.passwordHash))) {
    const attempts = user.failedAttempts + 1
    const locks = attempts >= MAX_FAILED_ATTEMPTS
    await recordAudit(
      db,
      {
        actor,
        action: locks ? 'auth.account_locked' : 'auth.sign_in_failed',
        objectType: 'user',
        objectId: user.id,
        requestId: opts.requestId,
        detail: { attempts },
      },
      [
        db
          .update(users)
          .set(locks ? { failedAttempts: 0, lockedUntil: now + LOCKOUT_MS } : { failedAttempts: attempts })
          .where(eq(users.id, user.id)),
      ],
    )
    return locks
      ? fail('locked', 'account_locked', 'Account locked after repeated failures', {
          lockedUntil: String(now + LOCKOUT_MS),
        })
      : fail('unauthorized', 'invalid_credentials', 'Wrong username or password')
  }

  const token = randomBytes(32).toString('base64url')
  await recordAudit(db, { actor, action: 'auth.sign_in', objectType: 'user', objectId: user.id, requestId: opts.requestId }, [
    db.update(users).set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now }).where(eq(users.id, user.id)),
    db.insert(sessions).values({ tokenHash: hashSessionToken(token), userId: user.id, createdAt: now, lastSeenAt: now }),
  ])
  return ok({
    token,
    user: { id: user.id, username: user.username, role: user.role, displayName: user.displayName },
  })
}
