import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems, demandLists } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { transitionRecord } from './demand-item-transition.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The operator submits a draft list to the bureau (Art. 14): every item goes to pending_review. */
export async function submitDemandList(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; listCode: string; now?: number },
): Promise<Result<{ code: string; items: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_list.submit')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [list] = await db.select().from(demandLists).where(eq(demandLists.code, opts.listCode))
  if (!list) return fail('not_found', 'demand_list_not_found', `No demand list ${opts.listCode}`)
  if (list.state !== 'draft') return fail('conflict', 'demand_list_not_draft', 'The list was submitted already')
  const items = await db
    .select({ id: demandItems.id })
    .from(demandItems)
    .where(and(eq(demandItems.listId, list.id), eq(demandItems.state, 'draft')))
  if (items.length === 0)
    return fail('validation', 'demand_list_empty', 'Add at least one item before submitting', { items: 'required' })
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'demand_list.submit',
      objectType: 'demand_list',
      objectId: list.id,
      requestId: opts.requestId,
      detail: { code: list.code, items: items.length },
    },
    [
      db
        .update(demandLists)
        .set({ state: 'submitted', submittedAt: now })
        .where(and(eq(demandLists.id, list.id), eq(demandLists.state, 'draft'))),
      db
        .update(demandItems)
        .set({ state: 'pending_review' })
        .where(and(eq(demandItems.listId, list.id), eq(demandItems.state, 'draft'))),
      ...items.map((i) =>
        transitionRecord(db, { itemId: i.id, from: 'draft', to: 'pending_review', actor: opts.actor, at: now }),
      ),
    ],
  )
  return ok({ code: list.code, items: items.length })
}
