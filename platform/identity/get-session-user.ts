import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, sessions, sourceUnits, users, type Role } from '#db/schema/index.ts'
import { recordAudit } from '#platform/audit/record-audit.ts'
import { hashSessionToken } from './sign-in.ts'
import { IDLE_TIMEOUT_MS, SESSION_TOUCH_MS } from './policy.ts'

export interface SessionUser {
  id: string
  username: string
  displayName: string
  role: Role
  sourceUnitId: string | null
  sourceUnitName: string | null
  partnerId: string | null
  partnerName: string | null
}

export type SessionLookup = { state: 'active'; user: SessionUser } | { state: 'none' } | { state: 'idle_expired' }

/**
 * Resolves a session cookie token. A session idle for more than 30 minutes is
 * ended (and audited) on the request that finds it so.
 */
export async function getSessionUser(db: Db, opts: { token: string; now?: number }): Promise<SessionLookup> {
  const now = opts.now ?? Date.now()
  const tokenHash = hashSessionToken(opts.token)
  const [row] = await db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      sourceUnitId: users.sourceUnitId,
      sourceUnitName: sourceUnits.nameZh,
      partnerId: users.partnerId,
      partnerName: partners.name,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(sourceUnits, eq(sourceUnits.id, users.sourceUnitId))
    .leftJoin(partners, eq(partners.id, users.partnerId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.endedAt)))
    .limit(1)
  if (!row) return { state: 'none' }
  const { lastSeenAt, ...user } = row
  if (now - lastSeenAt > IDLE_TIMEOUT_MS) {
    await recordAudit(
      db,
      {
        actor: { id: user.id, label: user.username, role: user.role },
        action: 'auth.session_idle_expired',
        objectType: 'session',
      },
      [db.update(sessions).set({ endedAt: now }).where(eq(sessions.tokenHash, tokenHash))],
    )
    return { state: 'idle_expired' }
  }
  if (now - lastSeenAt > SESSION_TOUCH_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash))
  }
  return { state: 'active', user }
}
