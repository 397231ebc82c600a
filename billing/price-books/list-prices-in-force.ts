import { asc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { CHARGE_UNITS, products, type ChargeUnit } from '#db/schema/index.ts'
import { maxUnitPrice, type Charge } from '../charge-models/index.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'
import { reapprovalsDue } from '../ceilings/prices-above-ceiling.ts'

export interface ChargeInForce {
  chargeUnit: ChargeUnit
  ceiling: { maxUnitPrice: string; effectiveFrom: number; basis: string } | null
  price: Charge | null
  /** The highest fen per unit the price asks (the figure compared with the ceiling). */
  maxUnitPrice: string | null
  /** A ceiling (now or later, while this price is in force) below the price: it must be approved again (ADR 0048). */
  reapproval: { ceiling: string; effectiveFrom: number } | null
}

export interface ProductPrices {
  productId: string
  productCode: string
  nameZh: string
  nameEn: string
  state: string
  priceBook: { id: string; version: number; isTrial: boolean; inForceFrom: number } | null
  charges: ChargeInForce[]
  /** Approved versions that come into force later. */
  upcoming: { version: number; inForceFrom: number; isTrial: boolean; charges: { chargeUnit: ChargeUnit; price: Charge }[] }[]
  /** Ceiling versions that take effect after `at` (/fees shows the coming change). */
  upcomingCeilings: { chargeUnit: ChargeUnit; maxUnitPrice: string; effectiveFrom: number }[]
}

/**
 * 收费公示: every product (published ones only with `publishedOnly`) with its ceiling and its actual price in force
 * at `at`, per charge unit, and the approved versions still to come.
 */
export async function listPricesInForce(db: Db, opts: { at?: number; publishedOnly?: boolean } = {}): Promise<ProductPrices[]> {
  const at = opts.at ?? Date.now()
  const timeline = await loadPriceTimeline(db)
  const rows = await db
    .select({ id: products.id, code: products.code, nameZh: products.nameZh, nameEn: products.nameEn, state: products.state })
    .from(products)
    .orderBy(asc(products.code))
  return rows
    .filter((p) => !opts.publishedOnly || p.state === 'published')
    .map((p) => {
      const book = timeline.bookAt(p.id, at)
      const due = book ? reapprovalsDue(timeline, book, at) : []
      const charges: ChargeInForce[] = []
      for (const unit of CHARGE_UNITS) {
        const ceiling = timeline.ceilingAt(p.id, unit, at)
        const price = book?.charges.get(unit) ?? null
        if (!ceiling && !price) continue
        charges.push({
          chargeUnit: unit,
          ceiling: ceiling
            ? { maxUnitPrice: ceiling.maxUnitPrice, effectiveFrom: ceiling.effectiveFrom, basis: ceiling.basis }
            : null,
          price,
          maxUnitPrice: price ? maxUnitPrice(price).toFixed() : null,
          reapproval:
            due.filter((d) => d.chargeUnit === unit).map((d) => ({ ceiling: d.ceiling, effectiveFrom: d.effectiveFrom }))[0] ??
            null,
        })
      }
      return {
        productId: p.id,
        productCode: p.code,
        nameZh: p.nameZh,
        nameEn: p.nameEn,
        state: p.state,
        priceBook: book ? { id: book.id, version: book.version, isTrial: book.isTrial, inForceFrom: book.inForceFrom } : null,
        charges,
        upcoming: (timeline.books.get(p.id) ?? [])
          .filter((b) => b.inForceFrom > at)
          .map((b) => ({
            version: b.version,
            inForceFrom: b.inForceFrom,
            isTrial: b.isTrial,
            charges: [...b.charges].map(([chargeUnit, price]) => ({ chargeUnit, price })),
          })),
        upcomingCeilings: CHARGE_UNITS.flatMap((unit) =>
          (timeline.ceilings.get(`${p.id}|${unit}`) ?? [])
            .filter((c) => c.effectiveFrom > at)
            .map((c) => ({ chargeUnit: unit, maxUnitPrice: c.maxUnitPrice, effectiveFrom: c.effectiveFrom })),
        ).sort((a, b) => a.effectiveFrom - b.effectiveFrom),
      }
    })
}
