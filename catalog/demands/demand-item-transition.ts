import { and, eq, ne } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { demandItems, demandItemTransitions, demandLists, DEMAND_ITEM_STATES } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

export type DemandItemState = (typeof DEMAND_ITEM_STATES)[number]

/** The append-only record of one transition (Art. 14–15: every step with actor and time), for the same batch as the change. */
export function transitionRecord(
  db: Db,
  t: { itemId: string; from: DemandItemState; to: DemandItemState; actor: Actor; at: number; comment?: string | null },
): BatchItem<'sqlite'> {
  return db.insert(demandItemTransitions).values({
    itemId: t.itemId,
    at: t.at,
    fromState: t.from,
    toState: t.to,
    actorId: t.actor.id,
    actorLabel: t.actor.label,
    role: t.actor.role,
    comment: t.comment ?? null,
  })
}

const FINAL: readonly DemandItemState[] = ['granted', 'refused']

/**
 * When `itemId` is about to reach a final state: the statement that closes its
 * list if every other item of the list is final already (else none).
 */
export async function closeListIfDone(db: Db, listId: string, itemId: string): Promise<BatchItem<'sqlite'>[]> {
  const others = await db
    .select({ state: demandItems.state })
    .from(demandItems)
    .where(and(eq(demandItems.listId, listId), ne(demandItems.id, itemId)))
  if (others.some((o) => !FINAL.includes(o.state))) return []
  return [db.update(demandLists).set({ state: 'closed' }).where(eq(demandLists.id, listId))]
}
