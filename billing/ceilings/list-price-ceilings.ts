import { asc, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { priceCeilings, products, users, type ChargeUnit } from '#db/schema/index.ts'

export interface CeilingRow {
  id: string
  productId: string
  productCode: string
  productNameZh: string
  productNameEn: string
  chargeUnit: ChargeUnit
  maxUnitPrice: string
  effectiveFrom: number
  basis: string
  /** When the bureau re-evaluates it (ADR 0036). */
  reevaluateBy: number | null
  setBy: string | null
  createdAt: number
  /** in_force: the version in force at `at`; scheduled: takes effect later; superseded: replaced. */
  status: 'in_force' | 'scheduled' | 'superseded'
}

/** Every ceiling version with its status at `at`, by product and charge unit, newest first. */
export async function listPriceCeilings(db: Db, opts: { at?: number } = {}): Promise<CeilingRow[]> {
  const at = opts.at ?? Date.now()
  const rows = await db
    .select({
      id: priceCeilings.id,
      productId: priceCeilings.productId,
      productCode: products.code,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      chargeUnit: priceCeilings.chargeUnit,
      maxUnitPrice: priceCeilings.maxUnitPrice,
      effectiveFrom: priceCeilings.effectiveFrom,
      basis: priceCeilings.basis,
      reevaluateBy: priceCeilings.reevaluateBy,
      setBy: users.username,
      createdAt: priceCeilings.createdAt,
    })
    .from(priceCeilings)
    .innerJoin(products, eq(products.id, priceCeilings.productId))
    .leftJoin(users, eq(users.id, priceCeilings.setByUserId))
    .orderBy(asc(products.code), asc(priceCeilings.chargeUnit), desc(priceCeilings.effectiveFrom), desc(priceCeilings.createdAt))
  const inForce = new Map<string, string>()
  // Per product and unit: among versions effective at `at`, the latest date wins, then the later-created.
  for (const r of rows) {
    if (r.effectiveFrom > at) continue
    const key = `${r.productId}|${r.chargeUnit}`
    if (!inForce.has(key)) inForce.set(key, r.id)
  }
  return rows.map((r) => ({
    ...r,
    status:
      r.effectiveFrom > at ? 'scheduled' : inForce.get(`${r.productId}|${r.chargeUnit}`) === r.id ? 'in_force' : 'superseded',
  }))
}
