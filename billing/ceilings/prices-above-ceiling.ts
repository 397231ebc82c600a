import type { ChargeUnit } from '#db/schema/index.ts'
import { maxUnitPrice } from '../charge-models/index.ts'
import type { Decimal } from '../money/decimal.ts'
import type { ApprovedBook, PriceTimeline } from '../rating/price-timeline.ts'

/** An approved price a (new) ceiling is below: it must be proposed and approved again (Art. 22, ADR 0048). */
export interface PriceAboveCeiling {
  priceBookId: string
  productId: string
  version: number
  inForceFrom: number
  chargeUnit: ChargeUnit
  /** The highest fen per unit the approved price asks. */
  maxUnitPrice: string
}

/**
 * The approved prices of a product's charge unit a ceiling of `ceiling` fen per unit from `effectiveFrom` would be below:
 * the book in force at that date and every approved book that comes into force later.
 */
export function pricesAboveCeiling(
  timeline: PriceTimeline,
  opts: { productId: string; chargeUnit: ChargeUnit; ceiling: Decimal; effectiveFrom: number },
): PriceAboveCeiling[] {
  const current = timeline.bookAt(opts.productId, opts.effectiveFrom)
  const books = (timeline.books.get(opts.productId) ?? []).filter(
    (b) => b.id === current?.id || b.inForceFrom > opts.effectiveFrom,
  )
  const affected: PriceAboveCeiling[] = []
  for (const b of books) {
    const charge = b.charges.get(opts.chargeUnit)
    if (!charge) continue
    const max = maxUnitPrice(charge)
    if (max.greaterThan(opts.ceiling))
      affected.push({
        priceBookId: b.id,
        productId: b.productId,
        version: b.version,
        inForceFrom: b.inForceFrom,
        chargeUnit: opts.chargeUnit,
        maxUnitPrice: max.toFixed(),
      })
  }
  return affected
}

/**
 * The charge units of an approved book that a ceiling in force now or later puts below its price while the book is (or
 * will be) in force: the book is flagged for re-approval (rating charges at most the ceiling meanwhile). Each with the
 * ceiling and its date.
 */
export function reapprovalsDue(
  timeline: PriceTimeline,
  book: Pick<ApprovedBook, 'id' | 'productId' | 'inForceFrom' | 'charges'>,
  now: number,
): { chargeUnit: ChargeUnit; ceiling: string; effectiveFrom: number }[] {
  const due: { chargeUnit: ChargeUnit; ceiling: string; effectiveFrom: number }[] = []
  const from = Math.max(now, book.inForceFrom)
  for (const [unit, charge] of book.charges) {
    const max = maxUnitPrice(charge)
    const moments = [
      from,
      ...(timeline.ceilings.get(`${book.productId}|${unit}`) ?? []).map((c) => c.effectiveFrom).filter((t) => t > from),
    ]
    for (const t of moments) {
      if (timeline.bookAt(book.productId, t)?.id !== book.id) continue
      const ceiling = timeline.ceilingAt(book.productId, unit, t)
      if (ceiling && max.greaterThan(ceiling.maxUnitPrice)) {
        due.push({ chargeUnit: unit, ceiling: ceiling.maxUnitPrice, effectiveFrom: ceiling.effectiveFrom })
        break
      }
    }
  }
  return due
}
