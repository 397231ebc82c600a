import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sessions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { hashSessionToken } from './sign-in.ts'

export async function signOut(db: Db, opts: { token: string; actor: Actor; requestId?: string }): Promise<void> {
  const tokenHash = hashSessionToken(opts.token)
  await recordAudit(db, { actor: opts.actor, action: 'auth.sign_out', objectType: 'session', requestId: opts.requestId }, [
    db
      .update(sessions)
      .set({ endedAt: Date.now() })
      .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.endedAt))),
  ])
}
