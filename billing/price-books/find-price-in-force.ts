import type { Db } from '#db/client.ts'
import type { ChargeUnit } from '#db/schema/index.ts'
import type { Charge } from '../charge-models/index.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'

export interface PriceInForce {
  priceBookId: string
  version: number
  isTrial: boolean
  inForceFrom: number
  charges: { chargeUnit: ChargeUnit; charge: Charge; ceiling: string | null }[]
}

/**
 * The price of a product at an instant: the APPROVED book with the latest in_force_from ≤ at (a later version wins
 * a tie), with the ceiling in force at that instant beside each charge. Null when no approved price is in force:
 * usage at that time is rated at 0 and listed as unpriced.
 */
export async function findPriceInForce(db: Db, opts: { productId: string; at: number }): Promise<PriceInForce | null> {
  const timeline = await loadPriceTimeline(db)
  const book = timeline.bookAt(opts.productId, opts.at)
  if (!book) return null
  return {
    priceBookId: book.id,
    version: book.version,
    isTrial: book.isTrial,
    inForceFrom: book.inForceFrom,
    charges: [...book.charges].map(([chargeUnit, charge]) => ({
      chargeUnit,
      charge,
      ceiling: timeline.ceilingPriceAt(opts.productId, chargeUnit, opts.at)?.toFixed() ?? null,
    })),
  }
}
