import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { priceBookCharges, priceBooks, products, type ChargeUnit } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parseCharge, type Charge } from '../charge-models/index.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'
import { checkAgainstCeilings } from './check-against-ceilings.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The bureau's review of a pending proposal: approve, or return it to the operator with a comment. An approved book
 * is in force from max(effective date, decision time): a price never applies to usage before it was approved. The
 * ceilings are checked again (one may have been lowered since the proposal).
 */
export async function decidePriceBook(
  db: Db,
  opts: {
    priceBookId: string
    decision: 'approve' | 'return'
    comment?: string
    actor: Actor
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string; state: 'approved' | 'returned'; inForceFrom: number | null }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'price_book.decide')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const comment = (opts.comment ?? '').trim()
  if (comment.length > 500) return fail('validation', 'validation_failed', 'The comment is too long', { comment: 'too_long' })
  if (opts.decision === 'return' && comment.length === 0) {
    return fail('validation', 'validation_failed', 'Say why the proposal is returned', { comment: 'required' })
  }
  const [book] = await db
    .select({
      id: priceBooks.id,
      productId: priceBooks.productId,
      productCode: products.code,
      version: priceBooks.version,
      state: priceBooks.state,
      effectiveFrom: priceBooks.effectiveFrom,
    })
    .from(priceBooks)
    .innerJoin(products, eq(products.id, priceBooks.productId))
    .where(eq(priceBooks.id, opts.priceBookId))
  if (!book) return fail('not_found', 'price_book_not_found', 'No such price book')
  if (book.state !== 'pending_review')
    return fail('conflict', 'price_book_already_decided', `This proposal was already ${book.state}`)

  let inForceFrom: number | null = null
  if (opts.decision === 'approve') {
    const rows = await db.select().from(priceBookCharges).where(eq(priceBookCharges.priceBookId, book.id))
    const charges: { chargeUnit: ChargeUnit; charge: Charge }[] = []
    for (const r of rows) {
      const parsed = parseCharge(r.model, JSON.parse(r.properties))
      if (!parsed.ok) throw new Error(`price book ${book.id}: stored ${r.chargeUnit} charge no longer parses`)
      charges.push({ chargeUnit: r.chargeUnit, charge: parsed.charge })
    }
    const refused = checkAgainstCeilings(await loadPriceTimeline(db), book.productId, book.effectiveFrom, charges)
    if (refused) return refused
    inForceFrom = Math.max(book.effectiveFrom, now)
  }
  const state = opts.decision === 'approve' ? 'approved' : 'returned'
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: `price_book.${opts.decision}`,
      objectType: 'price_book',
      objectId: book.id,
      requestId: opts.requestId,
      detail: { product: book.productCode, version: book.version, inForceFrom, comment: comment || null },
    },
    [
      db
        .update(priceBooks)
        .set({ state, decidedByUserId: opts.actor.id, decidedAt: now, reviewComment: comment || null, inForceFrom })
        .where(and(eq(priceBooks.id, book.id), eq(priceBooks.state, 'pending_review'))),
    ],
  )
  return ok({ id: book.id, state, inForceFrom })
}
