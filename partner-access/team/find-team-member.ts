import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

/** A developer account of the actor's own partner; null for anyone else's (answered not_found: not theirs to know). */
export async function findTeamMember(db: Db, actor: Actor, username: string) {
  if (!actor.partnerId) return null
  const [user] = await db
    .select()
    .from(users)
    .where(
      and(
        eq(users.username, username.trim().toLowerCase()),
        eq(users.partnerId, actor.partnerId),
        eq(users.role, 'partner_developer'),
      ),
    )
    .limit(1)
  return user ?? null
}
