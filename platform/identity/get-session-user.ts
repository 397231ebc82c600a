import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, sessions, sourceUnits, users, type Role } from '#db/schema/index.ts'
import { recordAudit } from '#platform/audit/record-audit.ts'
import { hashSessionToken } from './sign-in.ts'
import {
  DEFAULT_AUTH_POLICY,
  IDLE_TIMEOUT_MS,
  isTwoFactorRequired,
  SECOND_FACTOR_PENDING_MS,
  SESSION_TOUCH_MS,
  type AuthPolicy,
} from './policy.ts'

/**
 * What a signed-in user must do before anything else: change an initial or expired password, or enrol a second
 * factor their role requires. Until then only that page (and signing out) is reachable.
 */
export type SessionRestriction = 'initial_password' | 'password_expired' | 'enrol_two_factor'

export interface SessionUser {
  id: string
  username: string
  displayName: string
  role: Role
  sourceUnitId: string | null
  sourceUnitName: string | null
  partnerId: string | null
  partnerName: string | null
  /** A TOTP is enrolled: sign-in asks for it, and step-up actions want it fresh. */
  hasTwoFactor: boolean
  /** When this session last checked a TOTP or recovery code (null: never). */
  twoFactorVerifiedAt: number | null
  restriction: SessionRestriction | null
  /** A fixed-term account's end (an auditor's), else null. */
  accessExpiresAt: number | null
  /** A third party's organisation (an auditor's firm), else null. */
  organization: string | null
}

export type SessionLookup =
  | { state: 'active'; user: SessionUser }
  | { state: 'second_factor'; user: SessionUser }
  | { state: 'none' }
  | { state: 'idle_expired' }
  /** The account's fixed term ended (an auditor's, ADR 0026): the session is ended now. */
  | { state: 'access_expired' }

export function restrictionOf(
  user: { role: Role; mustChangePassword: boolean; passwordChangedAt: number | null; createdAt: number; hasTwoFactor: boolean },
  policy: AuthPolicy,
  now: number,
): SessionRestriction | null {
  if (user.mustChangePassword) return 'initial_password'
  if (now - (user.passwordChangedAt ?? user.createdAt) > policy.passwordMaxAgeDays * 86_400_000) return 'password_expired'
  if (!user.hasTwoFactor && isTwoFactorRequired(user.role, policy)) return 'enrol_two_factor'
  return null
}

/**
 * Resolves a session cookie token. A session idle for more than 30 minutes is ended (and audited) on the request
 * that finds it so; one waiting for its second factor lasts 5 minutes.
 */
export async function getSessionUser(db: Db, opts: { token: string; now?: number; policy?: AuthPolicy }): Promise<SessionLookup> {
  const now = opts.now ?? Date.now()
  const policy = opts.policy ?? DEFAULT_AUTH_POLICY
  const tokenHash = hashSessionToken(opts.token)
  const [row] = await db
    .select({
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      stage: sessions.stage,
      twoFactorVerifiedAt: sessions.twoFactorVerifiedAt,
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      sourceUnitId: users.sourceUnitId,
      sourceUnitName: sourceUnits.nameZh,
      partnerId: users.partnerId,
      partnerName: partners.name,
      mustChangePassword: users.mustChangePassword,
      passwordChangedAt: users.passwordChangedAt,
      userCreatedAt: users.createdAt,
      totpEnabledAt: users.totpEnabledAt,
      accessExpiresAt: users.accessExpiresAt,
      organization: users.organization,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(sourceUnits, eq(sourceUnits.id, users.sourceUnitId))
    .leftJoin(partners, eq(partners.id, users.partnerId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.endedAt)))
    .limit(1)
  if (!row) return { state: 'none' }
  const {
    createdAt,
    lastSeenAt,
    stage,
    mustChangePassword,
    passwordChangedAt,
    userCreatedAt,
    totpEnabledAt,
    accessExpiresAt,
    ...rest
  } = row
  const hasTwoFactor = totpEnabledAt !== null
  const user: SessionUser = {
    ...rest,
    hasTwoFactor,
    accessExpiresAt,
    restriction: restrictionOf(
      { role: rest.role, mustChangePassword, passwordChangedAt, createdAt: userCreatedAt, hasTwoFactor },
      policy,
      now,
    ),
  }
  const actor = { id: user.id, label: user.username, role: user.role }
  // An open session of an account whose term has ended is refused from that instant, not at its next sign-in.
  if (accessExpiresAt !== null && now >= accessExpiresAt) {
    await recordAudit(db, { actor, action: 'auth.session_access_expired', objectType: 'session', detail: { accessExpiresAt } }, [
      db.update(sessions).set({ endedAt: now }).where(eq(sessions.tokenHash, tokenHash)),
    ])
    return { state: 'access_expired' }
  }
  if (stage === 'second_factor') {
    if (now - createdAt <= SECOND_FACTOR_PENDING_MS) return { state: 'second_factor', user }
    await recordAudit(db, { actor, action: 'auth.second_factor_expired', objectType: 'session' }, [
      db.update(sessions).set({ endedAt: now }).where(eq(sessions.tokenHash, tokenHash)),
    ])
    return { state: 'none' }
  }
  if (now - lastSeenAt > IDLE_TIMEOUT_MS) {
    await recordAudit(db, { actor, action: 'auth.session_idle_expired', objectType: 'session' }, [
      db.update(sessions).set({ endedAt: now }).where(eq(sessions.tokenHash, tokenHash)),
    ])
    return { state: 'idle_expired' }
  }
  if (now - lastSeenAt > SESSION_TOUCH_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash))
  }
  return { state: 'active', user }
}
