import { desc, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems, demandLists } from '#db/schema/index.ts'

/** The operator's demand lists, newest first, with item counts per state. */
export async function listDemandLists(db: Db) {
  const rows = await db
    .select({
      code: demandLists.code,
      title: demandLists.title,
      state: demandLists.state,
      submittedAt: demandLists.submittedAt,
      createdAt: demandLists.createdAt,
      items: sql<number>`count(${demandItems.id})`,
      draft: sql<number>`coalesce(sum(${demandItems.state} = 'draft'), 0)`,
      pendingReview: sql<number>`coalesce(sum(${demandItems.state} = 'pending_review'), 0)`,
      returned: sql<number>`coalesce(sum(${demandItems.state} = 'returned'), 0)`,
      approved: sql<number>`coalesce(sum(${demandItems.state} = 'approved'), 0)`,
      granted: sql<number>`coalesce(sum(${demandItems.state} = 'granted'), 0)`,
      refused: sql<number>`coalesce(sum(${demandItems.state} = 'refused'), 0)`,
    })
    .from(demandLists)
    .leftJoin(demandItems, eq(demandItems.listId, demandLists.id))
    .groupBy(demandLists.id)
    .orderBy(desc(demandLists.createdAt), desc(demandLists.code))
  return rows
}
