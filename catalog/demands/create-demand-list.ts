import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { demandLists } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The operator starts a demand list (Art. 14) as a draft; its code is `XQ-<YYYY>-<NNNN>`. */
export async function createDemandList(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; title: string; now?: number },
): Promise<Result<{ id: string; code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'demand_list.create')
  if (denied) return denied
  const title = opts.title.trim()
  if (!title) return fail('validation', 'invalid_demand_list', 'Give the list a title', { title: 'required' })
  if (title.length > 200) return fail('validation', 'invalid_demand_list', 'At most 200 characters', { title: 'too_long' })
  return retryOnCodeRace(async () => {
    const id = randomUUID()
    const code = await nextSequenceCode(db, demandLists.code, 'XQ', opts.now)
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'demand_list.create',
        objectType: 'demand_list',
        objectId: id,
        requestId: opts.requestId,
        detail: { code, title },
      },
      [db.insert(demandLists).values({ id, code, title, createdByUserId: opts.actor.id })],
    )
    return ok({ id, code })
  })
}
