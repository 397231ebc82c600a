import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplications, partners, userInvites, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { checkPasswordPolicy, hashPassword } from '#platform/identity/password.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { hashToken, isTokenShaped } from './application-rules.ts'

type InviteState = 'valid' | 'expired' | 'used'

/**
 * The invite a token opens: the token the operator sent, or the applicant's status link of an approved application
 * (its invite is the same row). Null when neither (a 404: nothing to enumerate).
 */
async function findInviteRow(db: Db, token: string) {
  if (!isTokenShaped(token)) return null
  const hash = hashToken(token)
  const [direct] = await db.select().from(userInvites).where(eq(userInvites.tokenHash, hash)).limit(1)
  if (direct) return direct
  const [viaStatus] = await db
    .select({ invite: userInvites })
    .from(partnerApplications)
    .innerJoin(userInvites, eq(userInvites.applicationId, partnerApplications.id))
    .where(and(eq(partnerApplications.statusTokenHash, hash), eq(partnerApplications.state, 'approved')))
    .limit(1)
  return viaStatus?.invite ?? null
}

const stateOf = (row: { usedAt: number | null; expiresAt: number }, now: number): InviteState =>
  row.usedAt !== null ? 'used' : row.expiresAt <= now ? 'expired' : 'valid'

/** What the invite page shows before the password is set: whose account, and whether the link still works. */
export async function findUserInvite(db: Db, opts: { token: string; now?: number }) {
  const row = await findInviteRow(db, opts.token)
  if (!row) return null
  const [user] = await db
    .select({ username: users.username, displayName: users.displayName, role: users.role, partnerName: partners.name })
    .from(users)
    .leftJoin(partners, eq(partners.id, users.partnerId))
    .where(eq(users.id, row.userId))
    .limit(1)
  if (!user) return null
  return { state: stateOf(row, opts.now ?? Date.now()), expiresAt: row.expiresAt, ...user }
}

/**
 * The invited user sets a password (the rules of platform/identity/password.ts). The invite is spent in the same
 * batch, guarded by `used_at IS NULL`: of two submissions of one link, exactly one sets the password. Answers the
 * username, for the route to sign in with.
 */
export async function acceptUserInvite(
  db: Db,
  opts: { token: string; password: string; address?: string | null; requestId?: string | null; now?: number },
): Promise<Result<{ username: string; userId: string }>> {
  const now = opts.now ?? Date.now()
  const row = await findInviteRow(db, opts.token)
  if (!row) return fail('not_found', 'invite_not_found', 'No such invite')
  const state = stateOf(row, now)
  if (state === 'used') return fail('conflict', 'invite_used', 'This invite link has already been used')
  if (state === 'expired') return fail('conflict', 'invite_expired', 'This invite link has expired')
  const [user] = await db.select({ id: users.id, username: users.username }).from(users).where(eq(users.id, row.userId)).limit(1)
  if (!user) return fail('not_found', 'invite_not_found', 'No such invite')
  const problem = checkPasswordPolicy(opts.password, { username: user.username })
  if (problem) return fail('validation', 'validation_failed', 'The password does not meet the rules', { password: problem })
  const passwordHash = await hashPassword(opts.password)
  const actor: Actor = { id: user.id, label: user.username, role: 'anonymous' }
  // One batch with its audit entry: the password is set only while the invite is unspent (else NULL, which
  // `password_hash NOT NULL` refuses, failing the batch), then the invite is spent.
  const unspent = sql`(SELECT ${userInvites.usedAt} FROM ${userInvites} WHERE ${userInvites.tokenHash} = ${row.tokenHash}) IS NULL`
  try {
    await recordAudit(
      db,
      {
        actor,
        action: 'user.accept_invite',
        objectType: 'user',
        objectId: user.id,
        requestId: opts.requestId,
        detail: { username: user.username, address: opts.address ?? null },
      },
      [
        db
          .update(users)
          .set({
            passwordHash: sql`CASE WHEN ${unspent} THEN ${passwordHash} ELSE NULL END`,
            passwordChangedAt: now,
            mustChangePassword: false,
          })
          .where(eq(users.id, user.id)),
        db.update(userInvites).set({ usedAt: now }).where(eq(userInvites.userId, user.id)),
      ],
    )
  } catch (error) {
    if (/NOT NULL constraint failed: users\.password_hash/.test(errorText(error)))
      return fail('conflict', 'invite_used', 'This invite link has already been used')
    throw error
  }
  return ok({ username: user.username, userId: user.id })
}
