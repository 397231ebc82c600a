import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandItems } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { closeListIfDone, transitionRecord } from './demand-item-transition.ts'
import { citationProblem, explanationProblem } from './legal-basis.ts'
import { isOwnSourceUnitObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The source unit refuses an approved item (Art. 15). A refusal must state its
 * legal basis: the citation (law and article) AND an explanation; without
 * either it is not accepted (`legal_basis_required`, with the missing field). A placeholder ("无", "N/A"), a
 * citation that names no law, or an explanation shorter than a sentence is refused too (legal-basis.ts).
 * Only the item's own source unit may decide (the actor's, platform/identity/permissions.ts): another unit's item is
 * not found.
 */
export async function refuseDemandItem(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    itemId: string
    citation: string
    explanation: string
    now?: number
  },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_item.refuse')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const citation = opts.citation.trim()
  const explanation = opts.explanation.trim()
  const fields: Record<string, string> = {}
  if (!citation) fields.citation = 'required'
  else if (citation.length > 500) fields.citation = 'too_long'
  else fields.citation = citationProblem(citation) ?? ''
  if (!explanation) fields.explanation = 'required'
  else if (explanation.length > 2000) fields.explanation = 'too_long'
  else fields.explanation = explanationProblem(explanation) ?? ''
  for (const key of Object.keys(fields)) if (!fields[key]) delete fields[key]
  if (fields.citation === 'required' || fields.explanation === 'required') {
    return fail('validation', 'legal_basis_required', 'A refusal must cite its legal basis and explain it (Art. 15)', fields)
  }
  if (Object.keys(fields).length > 0) return fail('validation', 'invalid_refusal', 'The refusal has errors', fields)
  const [item] = await db.select().from(demandItems).where(eq(demandItems.id, opts.itemId))
  if (!item || !isOwnSourceUnitObject(opts.actor, item.sourceUnitId))
    return fail('not_found', 'demand_item_not_found', 'No such demand item awaits your decision')
  if (item.state !== 'approved')
    return fail('conflict', 'demand_item_not_approved', `The item is ${item.state}, not approved by the bureau`)
  const closing = await closeListIfDone(db, item.listId, item.id)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'demand_item.refuse',
      objectType: 'demand_item',
      objectId: item.id,
      requestId: opts.requestId,
      detail: { citation },
    },
    [
      db
        .update(demandItems)
        .set({ state: 'refused', refusalCitation: citation, refusalExplanation: explanation })
        .where(and(eq(demandItems.id, item.id), eq(demandItems.state, 'approved'))),
      transitionRecord(db, {
        itemId: item.id,
        from: 'approved',
        to: 'refused',
        actor: opts.actor,
        at: now,
        comment: `${citation}: ${explanation}`,
      }),
      ...closing,
    ],
  )
  return ok({ id: item.id })
}
