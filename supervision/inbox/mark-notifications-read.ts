import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { notifications } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'

const MAX_IDS = 200

/**
 * Marks the user's own notifications read: the ones named, or all. Another user's notification is simply not matched
 * (nothing tells whether it exists). Not audited: a read mark is the reader's own bookkeeping, not a decision
 * (ADR 0028); the notifications themselves are written with the audited change they announce.
 */
export async function markNotificationsRead(
  db: Db,
  opts: { actor: Actor; ids: string[] | 'all'; now?: number },
): Promise<Result<{ marked: number }>> {
  const userId = opts.actor.id
  if (!userId) return fail('forbidden', 'forbidden', `${opts.actor.role} has no inbox`)
  if (opts.ids !== 'all' && (opts.ids.length === 0 || opts.ids.length > MAX_IDS))
    return fail('validation', 'notification_ids_invalid', `Name 1–${MAX_IDS} notifications`, { ids: 'invalid' })
  const now = opts.now ?? Date.now()
  const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt))
  const where = opts.ids === 'all' ? mine : and(mine, inArray(notifications.id, opts.ids))
  const marked = await db.update(notifications).set({ readAt: now }).where(where).returning({ id: notifications.id })
  return ok({ marked: marked.length })
}
