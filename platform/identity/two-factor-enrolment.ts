import { and, count, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { recoveryCodes, sessions, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from './permissions.ts'
import { hashSessionToken } from './sign-in.ts'
import {
  hashRecoveryCode,
  matchTotp,
  newRecoveryCode,
  newTotpSecret,
  openTotpSecret,
  RECOVERY_CODE_COUNT,
  sealTotpSecret,
  totpQrDataUrl,
  totpUri,
} from './totp.ts'

export interface TwoFactorStatus {
  enabledAt: number | null
  recoveryCodesLeft: number
  /** An enrolment under way: what the page shows to scan or type (the secret only to its own user). */
  pending: { secret: string; uri: string; qrDataUrl: string } | null
}

/** The user's second factor as their own enrolment page shows it. */
export async function getTwoFactorStatus(db: Db, opts: { userId: string }): Promise<TwoFactorStatus> {
  const [user] = await db
    .select({ username: users.username, enabledAt: users.totpEnabledAt, pending: users.totpPendingSecret })
    .from(users)
    .where(eq(users.id, opts.userId))
    .limit(1)
  if (!user) return { enabledAt: null, recoveryCodesLeft: 0, pending: null }
  const [left] = await db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, opts.userId), isNull(recoveryCodes.usedAt)))
  let pending: TwoFactorStatus['pending'] = null
  if (user.pending) {
    const secret = openTotpSecret(user.pending, true)
    const uri = totpUri(secret, user.username)
    pending = { secret, uri, qrDataUrl: await totpQrDataUrl(uri) }
  }
  return { enabledAt: user.enabledAt, recoveryCodesLeft: left?.n ?? 0, pending }
}

/**
 * Starts an enrolment (or a re-enrolment): a new secret, kept aside (sealed) until a code from it is confirmed, so the
 * factor in use keeps working meanwhile. Starting again replaces the pending secret.
 */
export async function startTwoFactorEnrolment(
  db: Db,
  opts: { userId: string; actor: Actor; requestId?: string },
): Promise<Result<{ started: true }>> {
  if (opts.actor.id !== opts.userId) return fail('forbidden', 'forbidden', 'Only the user enrols their own second factor')
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'auth.two_factor_enrolment_started',
      objectType: 'user',
      objectId: opts.userId,
      requestId: opts.requestId,
    },
    [
      db
        .update(users)
        .set({ totpPendingSecret: sealTotpSecret(newTotpSecret(), true) })
        .where(eq(users.id, opts.userId)),
    ],
  )
  return ok({ started: true })
}

/**
 * Confirms the pending secret with a code from it: it becomes the user's second factor, replacing any earlier one and
 * its recovery codes; ten new recovery codes are made, returned once (only their SHA-256 is kept). The session it is
 * done in counts as just verified (step-up). Audited as an enrolment or a re-enrolment.
 */
export async function confirmTwoFactorEnrolment(
  db: Db,
  opts: { userId: string; code: string; actor: Actor; sessionToken?: string; requestId?: string; now?: number },
): Promise<Result<{ recoveryCodes: string[] }>> {
  const now = opts.now ?? Date.now()
  if (opts.actor.id !== opts.userId) return fail('forbidden', 'forbidden', 'Only the user enrols their own second factor')
  const [user] = await db
    .select({ pending: users.totpPendingSecret, enabledAt: users.totpEnabledAt })
    .from(users)
    .where(eq(users.id, opts.userId))
    .limit(1)
  if (!user?.pending) return fail('conflict', 'no_enrolment_started', 'Start the enrolment first')
  const secret = openTotpSecret(user.pending, true)
  const step = await matchTotp({ secret, code: opts.code.trim(), now, afterTimeStep: null })
  if (step === null) {
    await recordAudit(db, {
      actor: opts.actor,
      action: 'auth.two_factor_enrolment_failed',
      objectType: 'user',
      objectId: opts.userId,
      requestId: opts.requestId,
    })
    return fail('validation', 'invalid_code', 'Wrong code', { code: 'invalid_code' })
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: user.enabledAt === null ? 'auth.two_factor_enrolled' : 'auth.two_factor_re_enrolled',
      objectType: 'user',
      objectId: opts.userId,
      requestId: opts.requestId,
      detail: { recoveryCodes: codes.length },
    },
    [
      db
        .update(users)
        .set({ totpSecret: sealTotpSecret(secret), totpEnabledAt: now, totpPendingSecret: null, totpLastTimeStep: step })
        .where(eq(users.id, opts.userId)),
      db.delete(recoveryCodes).where(eq(recoveryCodes.userId, opts.userId)),
      db.insert(recoveryCodes).values(codes.map((c) => ({ userId: opts.userId, codeHash: hashRecoveryCode(c), createdAt: now }))),
      ...(opts.sessionToken
        ? [
            db
              .update(sessions)
              .set({ twoFactorVerifiedAt: now })
              .where(eq(sessions.tokenHash, hashSessionToken(opts.sessionToken))),
          ]
        : []),
    ],
  )
  return ok({ recoveryCodes: codes })
}

/**
 * Removes a user's second factor (a lost phone with no recovery code left): an administrator's act, from the CLI.
 * Where 2FA is required, the user must enrol again at the next sign-in. Their sessions end.
 */
export async function resetTwoFactor(
  db: Db,
  opts: { username: string; actor: Actor; requestId?: string; now?: number },
): Promise<Result<{ userId: string }>> {
  const now = opts.now ?? Date.now()
  const refused = refuseUnlessPermitted(opts.actor, 'two_factor.reset')
  if (refused) return refused
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.username, opts.username)).limit(1)
  if (!user) return fail('not_found', 'user_not_found', 'No such user')
  await recordAudit(
    db,
    { actor: opts.actor, action: 'auth.two_factor_reset', objectType: 'user', objectId: user.id, requestId: opts.requestId },
    [
      db
        .update(users)
        .set({ totpSecret: null, totpEnabledAt: null, totpPendingSecret: null, totpLastTimeStep: null })
        .where(eq(users.id, user.id)),
      db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
      db
        .update(sessions)
        .set({ endedAt: now })
        .where(and(eq(sessions.userId, user.id), isNull(sessions.endedAt))),
    ],
  )
  return ok({ userId: user.id })
}
