import { and, eq } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, demandItems, DELIVERY_MODES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { closeListIfDone, transitionRecord } from '#catalog/demands/demand-item-transition.ts'
import { isWithinMaxTerm, MAX_TERM_MONTHS } from './term.ts'
import { isOwnSourceUnitObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The source unit grants an approved demand item (Art. 15, 17): an
 * authorization for one of its datasets, with the delivery mode it chooses and
 * a term of at most 3 years (calendar-exact, Asia/Shanghai), else
 * `term_too_long`. Renewal is a new demand. Only the item's own source unit (the
 * actor's) may decide: another unit gets `demand_item_not_found`.
 */
export async function grantAuthorization(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    itemId: string
    deliveryMode: (typeof DELIVERY_MODES)[number]
    startsAt: number
    endsAt: number
    /** Which of its datasets the unit grants, when the item only described the data needed. */
    datasetCode?: string | null
    now?: number
  },
): Promise<Result<{ id: string; code: string; datasetCode: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'authorization.grant')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [item] = await db.select().from(demandItems).where(eq(demandItems.id, opts.itemId))
  if (!item || !isOwnSourceUnitObject(opts.actor, item.sourceUnitId))
    return fail('not_found', 'demand_item_not_found', 'No such demand item awaits your decision')
  if (item.state !== 'approved')
    return fail('conflict', 'demand_item_not_approved', `The item is ${item.state}, not approved by the bureau`)
  if (!DELIVERY_MODES.includes(opts.deliveryMode))
    return fail('validation', 'invalid_grant', 'Choose a delivery mode', { deliveryMode: 'required' })

  let datasetId = item.datasetId
  let datasetCode: string
  if (datasetId) {
    const [ds] = await db.select({ code: datasets.code }).from(datasets).where(eq(datasets.id, datasetId))
    datasetCode = ds!.code
  } else {
    if (!opts.datasetCode)
      return fail('validation', 'dataset_required', 'Name the dataset you grant', { datasetCode: 'required' })
    const [ds] = await db
      .select({ id: datasets.id, code: datasets.code })
      .from(datasets)
      .where(and(eq(datasets.code, opts.datasetCode), eq(datasets.sourceUnitId, item.sourceUnitId)))
    if (!ds) return fail('validation', 'dataset_required', 'Not one of your datasets', { datasetCode: 'not_found' })
    datasetId = ds.id
    datasetCode = ds.code
  }
  if (!(opts.endsAt > opts.startsAt))
    return fail('validation', 'term_invalid', 'The term must end after it starts', { endsAt: 'term_invalid' })
  if (!isWithinMaxTerm(opts.startsAt, opts.endsAt)) {
    return fail(
      'validation',
      'term_too_long',
      `An authorization runs at most ${MAX_TERM_MONTHS} months (Art. 17); renewal is a new demand`,
      {
        endsAt: 'term_too_long',
      },
    )
  }
  if (opts.endsAt <= now) return fail('validation', 'term_invalid', 'The term has already ended', { endsAt: 'term_invalid' })

  const closing = await closeListIfDone(db, item.listId, item.id)
  return retryOnCodeRace(async () => {
    const id = randomUUID()
    const code = await nextSequenceCode(db, authorizations.code, 'SQ', now)
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'authorization.grant',
        objectType: 'authorization',
        objectId: id,
        requestId: opts.requestId,
        detail: {
          code,
          dataset: datasetCode,
          demandItemId: item.id,
          deliveryMode: opts.deliveryMode,
          startsAt: opts.startsAt,
          endsAt: opts.endsAt,
        },
      },
      [
        db.insert(authorizations).values({
          id,
          code,
          datasetId: datasetId!,
          demandItemId: item.id,
          deliveryMode: opts.deliveryMode,
          startsAt: opts.startsAt,
          endsAt: opts.endsAt,
          grantedByUserId: opts.actor.id,
        }),
        db
          .update(demandItems)
          .set({ state: 'granted', grantedDeliveryMode: opts.deliveryMode, datasetId: datasetId! })
          .where(and(eq(demandItems.id, item.id), eq(demandItems.state, 'approved'))),
        transitionRecord(db, { itemId: item.id, from: 'approved', to: 'granted', actor: opts.actor, at: now, comment: code }),
        ...closing,
      ],
    )
    return ok({ id, code, datasetCode })
  })
}
