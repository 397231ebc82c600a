import { and, count, desc, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { notifications, rectificationCases } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import type { NotificationKind } from './notification-statements.ts'

export interface InboxEntry {
  id: string
  kind: NotificationKind
  caseCode: string | null
  params: Record<string, string>
  createdAt: number
  readAt: number | null
}

const PAGE = 100

/** A signed-in user's own inbox, newest first (at most 100), with the unread count. Nobody reads another's inbox. */
export async function listNotifications(db: Db, opts: { actor: Actor }): Promise<{ entries: InboxEntry[]; unread: number }> {
  if (!opts.actor.id) return { entries: [], unread: 0 }
  const rows = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      caseCode: rectificationCases.code,
      params: notifications.params,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .leftJoin(rectificationCases, eq(rectificationCases.id, notifications.caseId))
    .where(eq(notifications.userId, opts.actor.id))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(PAGE)
  return {
    entries: rows.map((r) => ({ ...r, kind: r.kind as NotificationKind, params: parseParams(r.params) })),
    unread: await countUnreadNotifications(db, { userId: opts.actor.id }),
  }
}

/** The header's badge: how many of the user's notifications are unread. */
export async function countUnreadNotifications(db: Db, opts: { userId: string }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, opts.userId), isNull(notifications.readAt)))
  return row?.n ?? 0
}

function parseParams(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text)
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {}
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'))
  } catch {
    return {}
  }
}
