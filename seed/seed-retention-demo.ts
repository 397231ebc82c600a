import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { logRetentionPolicies, users } from '#db/schema/index.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { setRetentionPolicy } from '#supervision/retention/set-retention-policy.ts'

/**
 * The bureau's retention policies for the demo (ADR 0027), through the same operation as its page: usage events kept
 * 36 months (an authorization's longest term), refusals 12. The other kinds stay without a policy (never purged), as
 * a fresh install starts. Skipped when a policy exists already.
 */
export async function seedRetentionDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(logRetentionPolicies)
  if (n > 0) return
  const [bureau] = await db.select().from(users).where(eq(users.username, 'bureau'))
  if (!bureau) return
  const actor = userActor(bureau)
  for (const [kind, keepMonths, note] of [
    ['usage', 36, '与授权运营期限上限（三年）一致 · as long as the longest authorization term'],
    ['refusals', 12, '拒绝记录保留一年 · refusals kept one year'],
  ] as const) {
    const result = await setRetentionPolicy(db, { kind, keepMonths, note, actor, now })
    if (!result.ok) throw new Error(`seed retention: ${result.error.code}`)
  }
}
