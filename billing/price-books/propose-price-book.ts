import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { CHARGE_UNITS, priceBookCharges, priceBooks, products, type ChargeUnit } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { MODELS_FOR_UNIT, parseCharge, type Charge } from '../charge-models/index.ts'
import { deriveUnitCosts } from '../costs/derive-unit-costs.ts'
import { periodOf, previousPeriod } from '../periods/billing-period.ts'
import { startOfDay } from '#platform/calendar/shanghai-calendar.ts'
import { loadPriceTimeline } from '../rating/price-timeline.ts'
import { checkAgainstCeilings } from './check-against-ceilings.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

export interface ProposedCharge {
  chargeUnit: string
  model: string
  properties: unknown
}

export interface ProposePriceBookInput {
  productId: string
  /** Epoch ms; today (Asia/Shanghai) or later. */
  effectiveFrom: number
  isTrial?: boolean
  note?: string
  charges: ProposedCharge[]
}

/** The three calendar months before `now`'s month: the cost basis shown beside a proposal. */
export function costBasisPeriods(now: number): string[] {
  const p1 = previousPeriod(periodOf(now))
  const p2 = previousPeriod(p1)
  const p3 = previousPeriod(p2)
  return [p3.period, p2.period, p1.period]
}

/**
 * The operator proposes a new version of a product's price book (its actual prices). Each charge is validated by its
 * model's schema and compared with the bureau's ceiling in force at the effective date: no ceiling, or a price above
 * it, is refused (`price_above_ceiling`, naming the charge and the ceiling). The proposal waits for the bureau's review;
 * it rates nothing until approved.
 */
export async function proposePriceBook(
  db: Db,
  opts: { input: ProposePriceBookInput; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'price_book.propose')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const { input } = opts
  const fields: Record<string, string> = {}
  if (!Number.isSafeInteger(input.effectiveFrom)) fields.effectiveFrom = 'invalid'
  else if (input.effectiveFrom < startOfDay(now)) fields.effectiveFrom = 'past'
  const note = (input.note ?? '').trim()
  if (note.length > 500) fields.note = 'too_long'
  if (input.charges.length === 0) fields.charges = 'required'
  const charges: { chargeUnit: ChargeUnit; charge: Charge }[] = []
  const seen = new Set<string>()
  input.charges.forEach((c, i) => {
    if (!(CHARGE_UNITS as readonly string[]).includes(c.chargeUnit)) {
      fields[`charges.${i}.chargeUnit`] = 'unknown_charge_unit'
      return
    }
    if (seen.has(c.chargeUnit)) {
      fields[`charges.${i}.chargeUnit`] = 'duplicate_charge_unit'
      return
    }
    seen.add(c.chargeUnit)
    const unit = c.chargeUnit as ChargeUnit
    if (!MODELS_FOR_UNIT[unit].includes(c.model as Charge['model'])) {
      fields[`charges.${i}.model`] = 'model_not_allowed_for_unit'
      return
    }
    const parsed = parseCharge(c.model, c.properties)
    if (!parsed.ok) {
      for (const [k, v] of Object.entries(parsed.fields)) fields[`charges.${i}.${k}`] = v
      return
    }
    charges.push({ chargeUnit: unit, charge: parsed.charge })
  })
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The proposal is not valid', fields)

  const [product] = await db
    .select({ id: products.id, code: products.code })
    .from(products)
    .where(eq(products.id, input.productId))
  if (!product) return fail('not_found', 'product_not_found', 'No such product', { productId: 'not_found' })

  const timeline = await loadPriceTimeline(db)
  const refused = checkAgainstCeilings(timeline, product.id, input.effectiveFrom, charges)
  if (refused) return refused

  const basis = await deriveUnitCosts(db, { periods: costBasisPeriods(now) })
  // Two proposals for one product at once read the same next version: the loser's batch breaks the unique
  // (product, version) and rolls back whole, then takes the version after the winner's.
  for (let attempt = 1; ; attempt++) {
    try {
      return ok(await insertNextVersion(db, { ...opts, input, product, charges, note, basis, now }))
    } catch (error) {
      if (attempt >= 8 || !/UNIQUE constraint failed: price_books\.product_id, price_books\.version/.test(errorText(error)))
        throw error
    }
  }
}

async function insertNextVersion(
  db: Db,
  opts: {
    input: ProposePriceBookInput
    actor: Actor
    requestId?: string | null
    product: { id: string; code: string }
    charges: { chargeUnit: ChargeUnit; charge: Charge }[]
    note: string
    basis: unknown
    now: number
  },
): Promise<{ id: string; version: number }> {
  const { input, product, charges, note, basis, now } = opts
  const [{ next } = { next: 1 }] = await db
    .select({ next: sql<number>`coalesce(max(${priceBooks.version}), 0) + 1` })
    .from(priceBooks)
    .where(eq(priceBooks.productId, product.id))
  const id = randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'price_book.propose',
      objectType: 'price_book',
      objectId: id,
      requestId: opts.requestId,
      detail: {
        product: product.code,
        version: next,
        effectiveFrom: input.effectiveFrom,
        isTrial: input.isTrial ?? false,
        charges: charges.map((c) => ({ chargeUnit: c.chargeUnit, ...c.charge })),
      },
    },
    [
      db.insert(priceBooks).values({
        id,
        productId: product.id,
        version: next,
        state: 'pending_review',
        isTrial: input.isTrial ?? false,
        effectiveFrom: input.effectiveFrom,
        note,
        costBasis: JSON.stringify(basis),
        proposedByUserId: opts.actor.id,
        proposedAt: now,
      }),
      ...charges.map((c) =>
        db.insert(priceBookCharges).values({
          priceBookId: id,
          chargeUnit: c.chargeUnit,
          model: c.charge.model,
          properties: JSON.stringify(c.charge.properties),
        }),
      ),
    ],
  )
  return { id, version: next }
}
