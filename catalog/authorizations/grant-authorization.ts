import { and, eq, sql } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, demandItems, DELIVERY_MODES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { errorText } from '#platform/error-text.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { closeListIfDone, transitionRecord } from '#catalog/demands/demand-item-transition.ts'
import { addCalendarMonths, parseDay, startOfDay } from '#platform/calendar/shanghai-calendar.ts'
import { MAX_TERM_MONTHS } from './term.ts'
import { isOwnSourceUnitObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The source unit grants an approved demand item (Art. 15, 17): an authorization for one of its datasets, with the
 * delivery mode it chooses, from `startsOn` for `termMonths` calendar months (Asia/Shanghai), at most 36
 * (`term_too_long`). Renewal is a new demand. Only the item's own source unit (the actor's) may decide: another unit
 * gets `demand_item_not_found`.
 *
 * `startsOn` is a Shanghai calendar date, `YYYY-MM-DD`, as a person picks it: today means now (the data may enter the
 * platform at once), a later day means that day's 00:00 in Shanghai, an earlier day is refused (`start_in_past`). The
 * end is the start moved by `termMonths` calendar months, same local time, the day clamped to the month's end
 * (29 February + 12 months → 28 February). Field errors name `startsOn`, `termMonths`, `deliveryMode`, `datasetCode`.
 */
export async function grantAuthorization(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    itemId: string
    deliveryMode: (typeof DELIVERY_MODES)[number]
    /** The first day of the term, `YYYY-MM-DD` in Asia/Shanghai: today or later. */
    startsOn: string
    /** Whole calendar months, 1 to MAX_TERM_MONTHS (Art. 17). */
    termMonths: number
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

  // The term is checked before the dataset: a form shows every problem of its own fields at once.
  const term = termOf(opts.startsOn, opts.termMonths, now)
  if (!term.ok) return term
  const { startsAt, endsAt } = term.value

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
  const closing = await closeListIfDone(db, item.listId, item.id)
  const grantedDatasetId = datasetId
  // Two grants of one item at once both read it approved: the authorization takes its dataset from the item only
  // while the item is still approved (in the same batch, before the item turns granted), so the loser's insert has no
  // dataset, violates NOT NULL, and its whole batch (audit entry included) rolls back.
  const whileApproved = sql<string>`(select ${grantedDatasetId} from ${demandItems} where ${demandItems.id} = ${item.id} and ${demandItems.state} = 'approved')`
  return retryOnCodeRace(async () => {
    const id = randomUUID()
    const code = await nextSequenceCode(db, authorizations.code, 'SQ', now)
    const committed = await recordAudit(
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
          startsAt,
          endsAt,
        },
      },
      [
        db.insert(authorizations).values({
          id,
          code,
          datasetId: whileApproved,
          demandItemId: item.id,
          deliveryMode: opts.deliveryMode,
          startsAt,
          endsAt,
          grantedByUserId: opts.actor.id,
        }),
        db
          .update(demandItems)
          .set({ state: 'granted', grantedDeliveryMode: opts.deliveryMode, datasetId: grantedDatasetId })
          .where(and(eq(demandItems.id, item.id), eq(demandItems.state, 'approved'))),
        transitionRecord(db, { itemId: item.id, from: 'approved', to: 'granted', actor: opts.actor, at: now, comment: code }),
        ...closing,
      ],
    ).then(
      () => true,
      (error: unknown) => {
        if (/NOT NULL constraint failed: authorizations\.dataset_id/i.test(errorText(error))) return false
        throw error
      },
    )
    if (!committed) return fail('conflict', 'demand_item_not_approved', 'The item was decided meanwhile')
    return ok({ id, code, datasetCode })
  })
}

/**
 * The instants of a term from its first Shanghai day and its length in months, or the field errors. The months are
 * checked against Art. 17 before any date arithmetic, so a hostile 10^9 months is refused, not computed.
 */
function termOf(startsOn: string, termMonths: number, now: number): Result<{ startsAt: number; endsAt: number }> {
  const fields: Record<string, string> = {}
  const today = startOfDay(now)
  const day = typeof startsOn === 'string' ? parseDay(startsOn.trim()) : null
  if (day === null) fields.startsOn = 'invalid_date'
  else if (day < today) fields.startsOn = 'start_in_past'
  if (!Number.isSafeInteger(termMonths) || termMonths < 1) fields.termMonths = 'term_range'
  else if (termMonths > MAX_TERM_MONTHS) fields.termMonths = 'term_too_long'
  if (fields.termMonths === 'term_too_long')
    return fail(
      'validation',
      'term_too_long',
      `An authorization runs at most ${MAX_TERM_MONTHS} months (Art. 17); renewal is a new demand`,
      fields,
    )
  if (day === null || Object.keys(fields).length > 0) return fail('validation', 'term_invalid', 'The term is not valid', fields)
  // Starting today means starting now, so the data may enter the platform at once.
  const startsAt = day === today ? now : day
  return ok({ startsAt, endsAt: addCalendarMonths(startsAt, termMonths) })
}
