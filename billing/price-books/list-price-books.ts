import { and, desc, eq, inArray, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import { priceBookCharges, priceBooks, products, users, type ChargeModelName, type ChargeUnit } from '#db/schema/index.ts'
import { maxUnitPrice, parseCharge, type Charge } from '../charge-models/index.ts'
import type { CostBasis } from '../costs/derive-unit-costs.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'

export interface PriceBookView {
  id: string
  productId: string
  productCode: string
  productNameZh: string
  productNameEn: string
  version: number
  state: 'pending_review' | 'approved' | 'returned'
  isTrial: boolean
  effectiveFrom: number
  inForceFrom: number | null
  note: string
  proposedBy: string | null
  proposedAt: number
  decidedBy: string | null
  decidedAt: number | null
  reviewComment: string | null
  costBasis: CostBasis | null
  charges: {
    chargeUnit: ChargeUnit
    model: ChargeModelName
    charge: Charge
    maxUnitPrice: string
    /** The ceiling in force at the book's effective date. */
    ceiling: string | null
    aboveCeiling: boolean
  }[]
}

/** Price books with their charges, each beside the ceiling in force at the book's effective date; newest first. */
export async function listPriceBooks(
  db: Db,
  opts: { states?: PriceBookView['state'][]; productId?: string; limit?: number } = {},
): Promise<PriceBookView[]> {
  const proposer = alias(users, 'proposer')
  const decider = alias(users, 'decider')
  const where: SQL | undefined = and(
    opts.states ? inArray(priceBooks.state, opts.states) : undefined,
    opts.productId ? eq(priceBooks.productId, opts.productId) : undefined,
  )
  const books = await db
    .select({
      id: priceBooks.id,
      productId: priceBooks.productId,
      productCode: products.code,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      version: priceBooks.version,
      state: priceBooks.state,
      isTrial: priceBooks.isTrial,
      effectiveFrom: priceBooks.effectiveFrom,
      inForceFrom: priceBooks.inForceFrom,
      note: priceBooks.note,
      proposedBy: proposer.username,
      proposedAt: priceBooks.proposedAt,
      decidedBy: decider.username,
      decidedAt: priceBooks.decidedAt,
      reviewComment: priceBooks.reviewComment,
      costBasis: priceBooks.costBasis,
    })
    .from(priceBooks)
    .innerJoin(products, eq(products.id, priceBooks.productId))
    .leftJoin(proposer, eq(proposer.id, priceBooks.proposedByUserId))
    .leftJoin(decider, eq(decider.id, priceBooks.decidedByUserId))
    .where(where)
    .orderBy(desc(priceBooks.proposedAt), desc(priceBooks.version))
    .limit(opts.limit ?? 200)
  if (books.length === 0) return []
  const charges = await db
    .select()
    .from(priceBookCharges)
    .where(
      inArray(
        priceBookCharges.priceBookId,
        books.map((b) => b.id),
      ),
    )
  const timeline = await loadPriceTimeline(db)
  return books.map((b) => ({
    ...b,
    costBasis: b.costBasis ? (JSON.parse(b.costBasis) as CostBasis) : null,
    charges: charges
      .filter((c) => c.priceBookId === b.id)
      .map((c) => {
        const parsed = parseCharge(c.model, JSON.parse(c.properties))
        if (!parsed.ok) throw new Error(`price book ${b.id}: stored ${c.chargeUnit} charge no longer parses`)
        const max = maxUnitPrice(parsed.charge)
        const ceiling = timeline.ceilingPriceAt(b.productId, c.chargeUnit, b.effectiveFrom)
        return {
          chargeUnit: c.chargeUnit,
          model: c.model,
          charge: parsed.charge,
          maxUnitPrice: max.toFixed(),
          ceiling: ceiling?.toFixed() ?? null,
          aboveCeiling: ceiling ? max.greaterThan(ceiling) : true,
        }
      }),
  }))
}
