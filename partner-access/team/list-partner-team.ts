import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { userInvites, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

export type TeamMemberState = 'invited' | 'invite_expired' | 'active' | 'ended'

export interface TeamMember {
  username: string
  displayName: string
  role: 'partner_admin' | 'partner_developer'
  state: TeamMemberState
  inviteExpiresAt: number | null
  lastLoginAt: number | null
  accessEndedAt: number | null
  createdAt: number
}

/**
 * The accounts of the actor's own partner (its administrators and developers) and where each stands: an invite still
 * open or expired, an active account, or access ended. Empty for an actor without a partner.
 */
export async function listPartnerTeam(db: Db, opts: { actor: Actor; now?: number }): Promise<TeamMember[]> {
  if (!opts.actor.partnerId) return []
  const now = opts.now ?? Date.now()
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.partnerId, opts.actor.partnerId), inArray(users.role, ['partner_admin', 'partner_developer'])))
    .orderBy(users.role, users.username)
  if (rows.length === 0) return []
  const invites = await db
    .select({ userId: userInvites.userId, expiresAt: userInvites.expiresAt, usedAt: userInvites.usedAt })
    .from(userInvites)
    .where(
      inArray(
        userInvites.userId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(desc(userInvites.createdAt))
  const latestInvite = new Map<string, { expiresAt: number; usedAt: number | null }>()
  for (const i of invites) if (!latestInvite.has(i.userId)) latestInvite.set(i.userId, i)
  return rows.map((u) => {
    const invite = latestInvite.get(u.id) ?? null
    const pending = u.passwordHash === 'invite-pending'
    const ended = u.accessExpiresAt !== null && u.accessExpiresAt <= now
    const state: TeamMemberState = ended
      ? 'ended'
      : pending
        ? invite && invite.usedAt === null && invite.expiresAt > now
          ? 'invited'
          : 'invite_expired'
        : 'active'
    return {
      username: u.username,
      displayName: u.displayName,
      role: u.role as TeamMember['role'],
      state,
      inviteExpiresAt: pending ? (invite?.expiresAt ?? null) : null,
      lastLoginAt: u.lastLoginAt,
      accessEndedAt: u.accessExpiresAt,
      createdAt: u.createdAt,
    }
  })
}
