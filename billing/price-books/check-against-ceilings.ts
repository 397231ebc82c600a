import type { ChargeUnit } from '#db/schema/index.ts'
import { fail } from '#platform/result.ts'
import { maxUnitPrice, type Charge } from '../charge-models/index.ts'
import type { PriceTimeline } from '../rating/price-timeline.ts'

/**
 * 65号: the actual price is at or below the ceiling. Every charge needs a ceiling in force at the effective date
 * (`no_ceiling`) and may not price any unit above it (`price_above_ceiling`). Returns the failure, or null when all pass.
 * Fields are keyed `charges.<i>` so a form can show the error beside the charge; `charges.<i>.ceiling` names the ceiling.
 */
export function checkAgainstCeilings(
  timeline: PriceTimeline,
  productId: string,
  effectiveFrom: number,
  charges: { chargeUnit: ChargeUnit; charge: Charge }[],
) {
  const fields: Record<string, string> = {}
  let above: string | null = null
  let missing: string | null = null
  charges.forEach((c, i) => {
    const ceiling = timeline.ceilingPriceAt(productId, c.chargeUnit, effectiveFrom)
    if (!ceiling) {
      fields[`charges.${i}`] = 'no_ceiling'
      missing ??= c.chargeUnit
      return
    }
    const price = maxUnitPrice(c.charge)
    if (price.greaterThan(ceiling)) {
      fields[`charges.${i}`] = 'price_above_ceiling'
      fields[`charges.${i}.ceiling`] = ceiling.toFixed()
      above ??= `${c.chargeUnit}: ${price.toFixed()} fen per unit is above the ceiling of ${ceiling.toFixed()} fen per unit`
    }
  })
  if (above) return fail('validation', 'price_above_ceiling', `The price is above the bureau's ceiling (${above})`, fields)
  if (missing)
    return fail('validation', 'no_ceiling', `The bureau has set no ceiling for ${missing} of this product at that date`, fields)
  return null
}
