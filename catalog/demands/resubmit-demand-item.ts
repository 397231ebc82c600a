import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { transitionRecord } from './demand-item-transition.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** After editing, the operator sends a returned item back to the bureau. */
export async function resubmitDemandItem(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; itemId: string; now?: number },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_item.resubmit')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [item] = await db
    .select({ id: demandItems.id, state: demandItems.state })
    .from(demandItems)
    .where(eq(demandItems.id, opts.itemId))
  if (!item) return fail('not_found', 'demand_item_not_found', 'No such demand item')
  if (item.state !== 'returned')
    return fail('conflict', 'demand_item_not_returned', `The item is ${item.state}; only a returned item is resubmitted`)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'demand_item.resubmit',
      objectType: 'demand_item',
      objectId: item.id,
      requestId: opts.requestId,
    },
    [
      db
        .update(demandItems)
        .set({ state: 'pending_review' })
        .where(and(eq(demandItems.id, item.id), eq(demandItems.state, 'returned'))),
      transitionRecord(db, { itemId: item.id, from: 'returned', to: 'pending_review', actor: opts.actor, at: now }),
    ],
  )
  return ok({ id: item.id })
}
