import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { CHARGE_UNITS, priceCeilings, products, type ChargeUnit } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { DECIMAL_TEXT, Decimal } from '../money/decimal.ts'
import { addCalendarMonths, startOfDay } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'
import { pricesAboveCeiling, type PriceAboveCeiling } from './prices-above-ceiling.ts'

export interface SetPriceCeilingInput {
  productId: string
  chargeUnit: string
  /** Fen per unit, decimal text ("5" = ¥0.05 per call). */
  maxUnitPrice: string
  effectiveFrom: number
  /** The pricing document the ceiling rests on. */
  basis?: string
  /** When the bureau re-evaluates it (start of a Shanghai day, after the effective date); default three years on. */
  reevaluateBy?: number | null
  /**
   * The bureau has seen the approved prices the ceiling is below and sets it anyway (they are then due for
   * re-approval). Without it such a ceiling is refused with `ceiling_below_approved_price` (ADR 0048).
   */
  confirmBelowApproved?: boolean
}

/** `ceiling_below_approved_price` carries the affected prices (the form lists them and asks to confirm). */
export type SetPriceCeilingResult =
  | { ok: true; value: { id: string; maxUnitPrice: string; effectiveFrom: number; affected: PriceAboveCeiling[] } }
  | {
      ok: false
      error: Exclude<Result<never>, { ok: true }>['error']
      affected?: (PriceAboveCeiling & { productCode: string })[]
    }

/**
 * 上限收费标准: the bureau sets the fee ceiling of a product's charge unit from a date (today or later). A new
 * version supersedes the previous one from its date on; nothing is edited. A proposal above the ceiling in force at
 * its effective date is refused, and rating never charges a unit above the ceiling in force at the event's time.
 */
export async function setPriceCeiling(
  db: Db,
  opts: { input: SetPriceCeilingInput; actor: Actor; requestId?: string | null; now?: number },
): Promise<SetPriceCeilingResult> {
  const denied = refuseUnlessPermitted(opts.actor, 'price_ceiling.set')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const { input } = opts
  const fields: Record<string, string> = {}
  if (!(CHARGE_UNITS as readonly string[]).includes(input.chargeUnit)) fields.chargeUnit = 'unknown_charge_unit'
  const price = input.maxUnitPrice.trim()
  if (!DECIMAL_TEXT.test(price)) fields.maxUnitPrice = 'decimal'
  if (!Number.isSafeInteger(input.effectiveFrom)) fields.effectiveFrom = 'invalid'
  else if (input.effectiveFrom < startOfDay(now)) fields.effectiveFrom = 'past'
  let reevaluateBy: number | null = null
  if (input.reevaluateBy !== undefined && input.reevaluateBy !== null) {
    if (!Number.isSafeInteger(input.reevaluateBy)) fields.reevaluateBy = 'invalid'
    else if (Number.isSafeInteger(input.effectiveFrom) && input.reevaluateBy <= input.effectiveFrom)
      fields.reevaluateBy = 'before_effective'
    else reevaluateBy = startOfDay(input.reevaluateBy)
  } else if (Number.isSafeInteger(input.effectiveFrom)) reevaluateBy = startOfDay(addCalendarMonths(input.effectiveFrom, 36))
  const basis = (input.basis ?? '').trim()
  if (basis.length > 200) fields.basis = 'too_long'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The ceiling is not valid', fields)

  const [product] = await db
    .select({ id: products.id, code: products.code, nameZh: products.nameZh, nameEn: products.nameEn })
    .from(products)
    .where(eq(products.id, input.productId))
  if (!product) return fail('not_found', 'product_not_found', 'No such product', { productId: 'not_found' })

  const id = randomUUID()
  const maxUnitPrice = new Decimal(price).toFixed()
  // Art. 22 / 65号: an approved price above the new ceiling is not silently capped; the bureau confirms, the price is
  // flagged for re-approval (reapprovalsDue), and rating charges at most the ceiling from its date meanwhile.
  const affected = pricesAboveCeiling(await loadPriceTimeline(db), {
    productId: product.id,
    chargeUnit: input.chargeUnit as ChargeUnit,
    ceiling: new Decimal(price),
    effectiveFrom: input.effectiveFrom,
  })
  if (affected.length > 0 && !input.confirmBelowApproved)
    return {
      ...fail(
        'conflict',
        'ceiling_below_approved_price',
        `The ceiling is below ${affected.length} approved price(s) of ${product.code}; confirm to set it and have them re-approved`,
        { maxUnitPrice: 'below_approved_price' },
      ),
      affected: affected.map((a) => ({ ...a, productCode: product.code })),
    }
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'price_ceiling.set',
      objectType: 'price_ceiling',
      objectId: id,
      requestId: opts.requestId,
      detail: {
        product: product.code,
        chargeUnit: input.chargeUnit,
        maxUnitPrice,
        effectiveFrom: input.effectiveFrom,
        basis,
        reevaluateBy,
        belowApprovedPrices: affected.map((a) => ({
          priceBook: a.priceBookId,
          version: a.version,
          maxUnitPrice: a.maxUnitPrice,
        })),
      },
    },
    [
      db.insert(priceCeilings).values({
        id,
        productId: product.id,
        chargeUnit: input.chargeUnit as ChargeUnit,
        maxUnitPrice,
        effectiveFrom: input.effectiveFrom,
        basis,
        reevaluateBy,
        setByUserId: opts.actor.id,
        createdAt: now,
      }),
    ],
  )
  return ok({ id, maxUnitPrice, effectiveFrom: input.effectiveFrom, affected })
}
