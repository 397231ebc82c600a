import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { transitionRecord } from './demand-item-transition.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The bureau reviews one pending item (Art. 14): approve (it goes to its source
 * unit), or return it to the operator with a comment (required).
 */
export async function reviewDemandItem(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    itemId: string
    decision: 'approve' | 'return'
    comment?: string | null
    now?: number
  },
): Promise<Result<{ id: string; state: 'approved' | 'returned' }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_item.review')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const comment = opts.comment?.trim() || null
  if (opts.decision === 'return' && !comment)
    return fail('validation', 'comment_required', 'Say why the item is returned', { comment: 'required' })
  if (comment && comment.length > 1000)
    return fail('validation', 'comment_too_long', 'At most 1000 characters', { comment: 'too_long' })
  const [item] = await db
    .select({ id: demandItems.id, state: demandItems.state })
    .from(demandItems)
    .where(eq(demandItems.id, opts.itemId))
  if (!item) return fail('not_found', 'demand_item_not_found', 'No such demand item')
  if (item.state !== 'pending_review')
    return fail('conflict', 'demand_item_not_pending', `The item is ${item.state}, not awaiting review`)
  const state = opts.decision === 'approve' ? 'approved' : 'returned'
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: `demand_item.${opts.decision}`,
      objectType: 'demand_item',
      objectId: item.id,
      requestId: opts.requestId,
      detail: { comment },
    },
    [
      db
        .update(demandItems)
        .set({ state, bureauComment: comment })
        .where(and(eq(demandItems.id, item.id), eq(demandItems.state, 'pending_review'))),
      transitionRecord(db, { itemId: item.id, from: 'pending_review', to: state, actor: opts.actor, at: now, comment }),
    ],
  )
  return ok({ id: item.id, state })
}
