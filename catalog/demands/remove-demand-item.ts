import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems, demandLists } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** Removes an item from a list that is still a draft (it has no transitions yet, so no log is lost). */
export async function removeDemandItem(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; itemId: string },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_item.remove')
  if (denied) return denied
  const [row] = await db
    .select({ id: demandItems.id, state: demandItems.state, listState: demandLists.state, listCode: demandLists.code })
    .from(demandItems)
    .innerJoin(demandLists, eq(demandLists.id, demandItems.listId))
    .where(eq(demandItems.id, opts.itemId))
  if (!row) return fail('not_found', 'demand_item_not_found', 'No such demand item')
  if (row.state !== 'draft' || row.listState !== 'draft')
    return fail('conflict', 'demand_item_not_editable', 'Only items of a draft list can be removed')
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'demand_item.remove',
      objectType: 'demand_item',
      objectId: row.id,
      requestId: opts.requestId,
      detail: { list: row.listCode },
    },
    [db.delete(demandItems).where(and(eq(demandItems.id, row.id), eq(demandItems.state, 'draft')))],
  )
  return ok({ id: row.id })
}
