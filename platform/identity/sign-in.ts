import { randomBytes, createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, users, type Role } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password.ts'
import { ACCOUNT_FREE_ATTEMPTS, ADDRESS_FREE_ATTEMPTS, MAX_FAILED_ATTEMPTS } from './policy.ts'
import {
  countAccountAttempt,
  countAddressAttempt,
  countPairAttempt,
  isFamiliarAddress,
  normalizeAddress,
  normalizeUsername,
  pairSuccessStatements,
  refundStatements,
} from './sign-in-throttle.ts'

export interface SignedIn {
  token: string
  /** `second_factor`: the password was right; the session reaches nothing until a TOTP or recovery code is given. */
  stage: 'active' | 'second_factor'
  user: { id: string; username: string; role: Role; displayName: string }
}

export const hashSessionToken = (token: string) => createHash('sha256').update(token).digest('hex')
export const newSessionToken = () => randomBytes(32).toString('base64url')

/**
 * Password sign-in, throttled per (account, address), per address and per account
 * (docs/decisions/0020-sign-in-throttling-and-two-factor.md):
 *
 * - every attempt is counted first, in one SQL statement per count, and decided on the count it produced;
 * - the 5th consecutive failure from one address locks that address out of that account for 15 minutes (the right
 *   password is refused there meanwhile), while the same account from another address still signs in;
 * - an address past 30 attempts in 15 minutes, and an account past 10 (for addresses it never signed in from),
 *   wait a growing delay between attempts (`too_many_attempts`, with the time to retry);
 * - a known and an unknown username get the same answers by the same path: the unknown one is throttled alike and
 *   its password is checked against a dummy hash.
 *
 * A user with a second factor gets a session in the `second_factor` stage (verify-second-factor.ts finishes it).
 * Every outcome is audited; the password is never logged.
 */
export async function signIn(
  db: Db,
  opts: { username: string; password: string; address?: string | null; requestId?: string; now?: number },
): Promise<Result<SignedIn>> {
  const now = opts.now ?? Date.now()
  const username = normalizeUsername(opts.username)
  const address = normalizeAddress(opts.address)
  const anonymous: Actor = { id: null, label: username.slice(0, 64) || '(empty)', role: 'anonymous' }

  const familiar = await isFamiliarAddress(db, { username, address, now })
  const pair = await countPairAttempt(db, { username, address, now })
  const byAddress = await countAddressAttempt(db, { address, now })
  const byAccount = byAddress.allowed ? await countAccountAttempt(db, { username, now, exempt: familiar }) : null
  const [user] = await db.select().from(users).where(eq(users.username, username)).limit(1)
  const actor: Actor = user ? { id: user.id, label: user.username, role: user.role } : anonymous
  const audit = (action: string, detail: Record<string, unknown>) =>
    recordAudit(db, {
      actor,
      action,
      objectType: 'user',
      objectId: user?.id ?? null,
      requestId: opts.requestId,
      detail: { address, ...detail },
    })
  const locked = (lockedUntil: number) =>
    fail('locked', 'account_locked', 'Too many failed attempts from this address', { lockedUntil: String(lockedUntil) })

  if (pair.attempts > MAX_FAILED_ATTEMPTS) {
    await audit('auth.sign_in_refused_locked', { attempts: pair.attempts })
    return locked(pair.lockedUntil ?? now)
  }
  const delayed = !byAddress.allowed ? byAddress : byAccount && !byAccount.allowed ? byAccount : null
  if (delayed && !delayed.allowed) {
    // The last allowed attempt of the pair, refused by a delay: its lock stands, and is audited like any lock.
    if (pair.attempts === MAX_FAILED_ATTEMPTS) await audit('auth.account_locked', { attempts: pair.attempts, throttled: true })
    return fail('rate_limited', 'too_many_attempts', 'Too many attempts; wait before trying again', {
      retryAt: String(delayed.retryAt),
    })
  }
  // Audited once, when an address or an account starts to wait between attempts.
  if (byAddress.allowed && byAddress.attempts === ADDRESS_FREE_ATTEMPTS + 1) {
    await audit('auth.sign_in_throttled', { scope: 'address', attempts: byAddress.attempts })
  }
  if (byAccount?.allowed && byAccount.attempts === ACCOUNT_FREE_ATTEMPTS + 1) {
    await audit('auth.sign_in_throttled', { scope: 'account', attempts: byAccount.attempts })
  }

  const passwordOk = await verifyPassword(opts.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH)
  if (!user || !passwordOk) {
    const locks = pair.attempts === MAX_FAILED_ATTEMPTS
    await audit(locks ? 'auth.account_locked' : 'auth.sign_in_failed', {
      attempts: pair.attempts,
      ...(user ? {} : { reason: 'unknown_user' }),
    })
    return locks ? locked(pair.lockedUntil ?? now) : fail('unauthorized', 'invalid_credentials', 'Wrong username or password')
  }

  // A fixed-term account (an auditor's, ADR 0026) past its term: refused after the password, so a guesser learns nothing.
  if (user.accessExpiresAt !== null && now >= user.accessExpiresAt) {
    await audit('auth.sign_in_refused_expired', { accessExpiresAt: user.accessExpiresAt })
    return fail('forbidden', 'account_expired', 'The term of this account has ended')
  }

  const token = newSessionToken()
  const stage = user.totpEnabledAt !== null && user.totpSecret !== null ? 'second_factor' : 'active'
  const session = db
    .insert(sessions)
    .values({ tokenHash: hashSessionToken(token), userId: user.id, createdAt: now, lastSeenAt: now, stage })
  if (stage === 'second_factor') {
    // The pair's count stays until the second factor is given too: wrong codes count on it like wrong passwords.
    await recordAudit(
      db,
      {
        actor,
        action: 'auth.second_factor_due',
        objectType: 'user',
        objectId: user.id,
        requestId: opts.requestId,
        detail: { address },
      },
      [...refundStatements(db, { username, address }), session],
    )
  } else {
    await recordAudit(
      db,
      { actor, action: 'auth.sign_in', objectType: 'user', objectId: user.id, requestId: opts.requestId, detail: { address } },
      [
        ...refundStatements(db, { username, address }),
        ...pairSuccessStatements(db, { username, address, now }),
        db.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id)),
        session,
      ],
    )
  }
  return ok({ token, stage, user: { id: user.id, username: user.username, role: user.role, displayName: user.displayName } })
}
