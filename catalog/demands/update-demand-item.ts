import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { resolveDemandItem, type DemandItemInput } from './demand-item-input.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** Edits an item that is still a draft, or that the bureau returned (then resubmit it). */
export async function updateDemandItem(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; itemId: string; input: DemandItemInput },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_item.update')
  if (denied) return denied
  const [item] = await db.select().from(demandItems).where(eq(demandItems.id, opts.itemId))
  if (!item) return fail('not_found', 'demand_item_not_found', 'No such demand item')
  if (item.state !== 'draft' && item.state !== 'returned') {
    return fail('conflict', 'demand_item_not_editable', `An item that is ${item.state} cannot be edited`)
  }
  const resolved = await resolveDemandItem(db, opts.input)
  if (!resolved.ok) return resolved
  await recordAudit(
    db,
    { actor: opts.actor, action: 'demand_item.update', objectType: 'demand_item', objectId: item.id, requestId: opts.requestId },
    [
      db
        .update(demandItems)
        .set(resolved.value)
        .where(and(eq(demandItems.id, item.id), inArray(demandItems.state, ['draft', 'returned']))),
    ],
  )
  return ok({ id: item.id })
}
