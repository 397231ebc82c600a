import { and, asc, eq, isNotNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { priceBookCharges, priceBooks, priceCeilings, type ChargeUnit } from '#db/schema/index.ts'
import { parseCharge, type Charge } from '../charge-models/index.ts'
import { Decimal } from '../money/decimal.ts'

export interface CeilingVersion {
  id: string
  productId: string
  chargeUnit: ChargeUnit
  maxUnitPrice: string
  effectiveFrom: number
  basis: string
}

export interface ApprovedBook {
  id: string
  productId: string
  version: number
  isTrial: boolean
  effectiveFrom: number
  inForceFrom: number
  charges: Map<ChargeUnit, Charge>
}

/**
 * Every ceiling version and every approved price book, in memory (they are few), with the two lookups rating needs.
 * Price in force at t: the approved book of the product with the latest in_force_from ≤ t (a later version wins a
 * tie). Ceiling in force at t: the version with the latest effective_from ≤ t (a later-created one wins a tie).
 */
export class PriceTimeline {
  readonly books = new Map<string, ApprovedBook[]>()
  readonly ceilings = new Map<string, CeilingVersion[]>()

  constructor(books: ApprovedBook[], ceilings: CeilingVersion[]) {
    for (const b of books) {
      const list = this.books.get(b.productId) ?? []
      list.push(b)
      this.books.set(b.productId, list)
    }
    for (const list of this.books.values()) list.sort((a, b) => a.inForceFrom - b.inForceFrom || a.version - b.version)
    for (const c of ceilings) {
      const key = `${c.productId}|${c.chargeUnit}`
      const list = this.ceilings.get(key) ?? []
      list.push(c)
      this.ceilings.set(key, list)
    }
    // Rows arrive in creation order; a stable sort keeps the later-created version last among equal dates.
    for (const list of this.ceilings.values()) list.sort((a, b) => a.effectiveFrom - b.effectiveFrom)
  }

  bookAt(productId: string, at: number): ApprovedBook | null {
    let found: ApprovedBook | null = null
    for (const b of this.books.get(productId) ?? []) if (b.inForceFrom <= at) found = b
    return found
  }

  ceilingAt(productId: string, unit: ChargeUnit, at: number): CeilingVersion | null {
    let found: CeilingVersion | null = null
    for (const c of this.ceilings.get(`${productId}|${unit}`) ?? []) if (c.effectiveFrom <= at) found = c
    return found
  }

  ceilingPriceAt(productId: string, unit: ChargeUnit, at: number): Decimal | null {
    const c = this.ceilingAt(productId, unit, at)
    return c ? new Decimal(c.maxUnitPrice) : null
  }

  /** Every instant at which some product's price or ceiling changes. */
  breakpoints(): number[] {
    const points = new Set<number>()
    for (const list of this.books.values()) for (const b of list) points.add(b.inForceFrom)
    for (const list of this.ceilings.values()) for (const c of list) points.add(c.effectiveFrom)
    return [...points].sort((a, b) => a - b)
  }
}

export async function loadPriceTimeline(db: Db): Promise<PriceTimeline> {
  const ceilingRows = await db
    .select({
      id: priceCeilings.id,
      productId: priceCeilings.productId,
      chargeUnit: priceCeilings.chargeUnit,
      maxUnitPrice: priceCeilings.maxUnitPrice,
      effectiveFrom: priceCeilings.effectiveFrom,
      basis: priceCeilings.basis,
    })
    .from(priceCeilings)
    .orderBy(asc(priceCeilings.createdAt), asc(priceCeilings.effectiveFrom))
  const bookRows = await db
    .select({
      id: priceBooks.id,
      productId: priceBooks.productId,
      version: priceBooks.version,
      isTrial: priceBooks.isTrial,
      effectiveFrom: priceBooks.effectiveFrom,
      inForceFrom: priceBooks.inForceFrom,
      chargeUnit: priceBookCharges.chargeUnit,
      model: priceBookCharges.model,
      properties: priceBookCharges.properties,
    })
    .from(priceBooks)
    .innerJoin(priceBookCharges, eq(priceBookCharges.priceBookId, priceBooks.id))
    .where(and(eq(priceBooks.state, 'approved'), isNotNull(priceBooks.inForceFrom)))
  const books = new Map<string, ApprovedBook>()
  for (const row of bookRows) {
    let book = books.get(row.id)
    if (!book) {
      book = {
        id: row.id,
        productId: row.productId,
        version: row.version,
        isTrial: row.isTrial,
        effectiveFrom: row.effectiveFrom,
        inForceFrom: row.inForceFrom!,
        charges: new Map(),
      }
      books.set(row.id, book)
    }
    const parsed = parseCharge(row.model, JSON.parse(row.properties))
    // Stored charges were validated when proposed; a row that no longer parses is a bug, not an expected failure.
    if (!parsed.ok) throw new Error(`price book ${row.id}: invalid ${row.chargeUnit} charge ${JSON.stringify(parsed.fields)}`)
    book.charges.set(row.chargeUnit, parsed.charge)
  }
  return new PriceTimeline([...books.values()], ceilingRows)
}
