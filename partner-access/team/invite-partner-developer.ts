import { and, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { partners, userInvites, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { hashToken, INVITE_TTL_MS, newToken } from '../applications/application-rules.ts'
import { findTeamMember } from './find-team-member.ts'

/** A partner's team (ADR 0039): at most this many developer accounts, invited or active. */
export const MAX_DEVELOPERS_PER_PARTNER = 50

export const developerInviteSchema = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_.-]{3,40}$/, 'username_format'),
  displayName: z.string().trim().min(1, 'required').max(50, 'too_long'),
})
export type DeveloperInviteInput = z.input<typeof developerInviteSchema>

type Invited = { userId: string; username: string; inviteToken: string; inviteExpiresAt: number }

/**
 * A partner administrator invites a developer of their own partner: an account (role partner_developer, no usable
 * password: the stored marker is no scrypt hash) and a single-use invite link, valid INVITE_TTL_MS, answered once for
 * the administrator to hand over. The partner is the actor's own, never one named in the input; an exited partner
 * invites nobody.
 */
export async function invitePartnerDeveloper(
  db: Db,
  opts: { actor: Actor; input: DeveloperInviteInput; requestId?: string | null; now?: number },
): Promise<Result<Invited>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_user.invite')
  if (denied) return denied
  const parsed = developerInviteSchema.safeParse(opts.input)
  if (!parsed.success) return fail('validation', 'validation_failed', 'Invalid invite', fieldErrors(parsed.error))
  const partnerId = opts.actor.partnerId
  if (!partnerId) return fail('forbidden', 'forbidden', 'Only a partner administrator invites developers')
  const [partner] = await db.select({ state: partners.state }).from(partners).where(eq(partners.id, partnerId)).limit(1)
  if (!partner) return fail('not_found', 'partner_not_found', 'No such partner')
  if (partner.state === 'exited') return fail('conflict', 'partner_exited', 'An exited partner invites nobody')
  const { username, displayName } = parsed.data
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.username, username)).limit(1)
  if (taken) return fail('conflict', 'username_taken', 'Username already exists', { username: 'taken' })
  const team = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, 'partner_developer')))
  if (team.length >= MAX_DEVELOPERS_PER_PARTNER)
    return fail('conflict', 'team_full', `A partner has at most ${MAX_DEVELOPERS_PER_PARTNER} developer accounts`)
  const now = opts.now ?? Date.now()
  const userId = crypto.randomUUID()
  const inviteToken = newToken()
  const inviteExpiresAt = now + INVITE_TTL_MS
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_user.invite',
        objectType: 'user',
        objectId: userId,
        requestId: opts.requestId,
        detail: { username, role: 'partner_developer', partnerId, inviteExpiresAt },
      },
      [
        db.insert(users).values({
          id: userId,
          username,
          displayName,
          role: 'partner_developer',
          passwordHash: 'invite-pending',
          partnerId,
          createdAt: now,
        }),
        db.insert(userInvites).values({ tokenHash: hashToken(inviteToken), userId, expiresAt: inviteExpiresAt, createdAt: now }),
      ],
    )
  } catch (error) {
    // Two invites of one name at once: the unique username decides; the loser is told as if it had looked first.
    if (String((error as { message?: string })?.message ?? error).includes('UNIQUE'))
      return fail('conflict', 'username_taken', 'Username already exists', { username: 'taken' })
    throw error
  }
  return ok({ userId, username, inviteToken, inviteExpiresAt })
}

/**
 * A new link for a developer who has not set a password yet (the first expired or was lost): earlier unused links of
 * that account stop working, in the same batch.
 */
export async function reissueDeveloperInvite(
  db: Db,
  opts: { actor: Actor; username: string; requestId?: string | null; now?: number },
): Promise<Result<Invited>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_user.invite')
  if (denied) return denied
  const user = await findTeamMember(db, opts.actor, opts.username)
  if (!user) return fail('not_found', 'user_not_found', 'No such developer in your team')
  if (user.passwordHash !== 'invite-pending')
    return fail('conflict', 'invite_not_needed', 'This developer has already set a password')
  if (user.accessExpiresAt !== null) return fail('conflict', 'access_ended', "This developer's access has ended")
  const now = opts.now ?? Date.now()
  const inviteToken = newToken()
  const inviteExpiresAt = now + INVITE_TTL_MS
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'partner_user.reissue_invite',
      objectType: 'user',
      objectId: user.id,
      requestId: opts.requestId,
      detail: { username: user.username, inviteExpiresAt },
    },
    [
      db
        .update(userInvites)
        .set({ expiresAt: now })
        .where(and(eq(userInvites.userId, user.id), isNull(userInvites.usedAt))),
      db
        .insert(userInvites)
        .values({ tokenHash: hashToken(inviteToken), userId: user.id, expiresAt: inviteExpiresAt, createdAt: now }),
    ],
  )
  return ok({ userId: user.id, username: user.username, inviteToken, inviteExpiresAt })
}
