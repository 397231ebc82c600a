import { eq } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { demandItems, demandLists } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { resolveDemandItem, type DemandItemInput } from './demand-item-input.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** Adds a draft item to a draft demand list. */
export async function addDemandItem(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; listCode: string; input: DemandItemInput },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_item.add')
  if (denied) return denied
  const [list] = await db.select().from(demandLists).where(eq(demandLists.code, opts.listCode))
  if (!list) return fail('not_found', 'demand_list_not_found', `No demand list ${opts.listCode}`)
  if (list.state !== 'draft')
    return fail('conflict', 'demand_list_not_draft', 'Items can be added only while the list is a draft')
  const resolved = await resolveDemandItem(db, opts.input)
  if (!resolved.ok) return resolved
  const id = randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'demand_item.add',
      objectType: 'demand_item',
      objectId: id,
      requestId: opts.requestId,
      detail: { list: list.code, dataset: opts.input.datasetCode ?? null },
    },
    [db.insert(demandItems).values({ id, listId: list.id, ...resolved.value, state: 'draft' })],
  )
  return ok({ id })
}
