import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions, userInvites, users } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { findTeamMember } from './find-team-member.ts'

/**
 * A partner administrator ends a developer's access (someone left the company): from this instant the account can
 * neither sign in nor use a session (users.access_expires_at, the auditors' mechanism), its open sessions and unused
 * invites end in the same batch. The partner's API keys are the partner's, not the person's: they stay until revoked on
 * the keys page (the administrator is told so).
 */
export async function endDeveloperAccess(
  db: Db,
  opts: { actor: Actor; username: string; requestId?: string | null; now?: number },
): Promise<Result<{ username: string; accessEndedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_user.end_access')
  if (denied) return denied
  const user = await findTeamMember(db, opts.actor, opts.username)
  if (!user) return fail('not_found', 'user_not_found', 'No such developer in your team')
  const now = opts.now ?? Date.now()
  if (user.accessExpiresAt !== null && user.accessExpiresAt <= now)
    return fail('conflict', 'access_ended', "This developer's access has already ended")
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'partner_user.end_access',
      objectType: 'user',
      objectId: user.id,
      requestId: opts.requestId,
      detail: { username: user.username },
    },
    [
      db.update(users).set({ accessExpiresAt: now }).where(eq(users.id, user.id)),
      db
        .update(sessions)
        .set({ endedAt: now })
        .where(and(eq(sessions.userId, user.id), isNull(sessions.endedAt))),
      db
        .update(userInvites)
        .set({ expiresAt: now })
        .where(and(eq(userInvites.userId, user.id), isNull(userInvites.usedAt))),
    ],
  )
  return ok({ username: user.username, accessEndedAt: now })
}
