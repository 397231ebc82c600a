import { z } from 'zod'
import { Decimal, decimalString, maxDecimal, minDecimal, ZERO } from '../money/decimal.ts'
import type { UnitRange } from './units.ts'

/**
 * Graduated (累进阶梯): units 1..upTo₁ at the first tier's price, upTo₁+1..upTo₂ at the second, ...; the last tier
 * has no upper bound (upTo null). Tiers count from the start of the billing period.
 */
export const graduatedProperties = z
  .object({
    tiers: z
      .array(z.object({ upTo: z.number().int().positive().nullable(), unitPrice: decimalString }).strict())
      .min(1)
      .max(20),
  })
  .strict()
  .superRefine((props, ctx) => {
    const { tiers } = props
    tiers.forEach((tier, i) => {
      const last = i === tiers.length - 1
      if (last && tier.upTo !== null) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'last_tier_unbounded' })
      if (!last && tier.upTo === null)
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'only_last_tier_unbounded' })
      const previous = i > 0 ? tiers[i - 1]!.upTo : 0
      if (tier.upTo !== null && previous !== null && tier.upTo <= previous) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'tiers_ascending' })
      }
    })
  })
export type GraduatedProperties = z.infer<typeof graduatedProperties>

/** The charge for the first `units` units of a period. */
function cumulative(props: GraduatedProperties, units: Decimal): Decimal {
  let total = ZERO
  let from = ZERO
  for (const tier of props.tiers) {
    if (units.lessThanOrEqualTo(from)) break
    const to = tier.upTo === null ? units : minDecimal(units, new Decimal(tier.upTo))
    total = total.plus(to.minus(from).times(new Decimal(tier.unitPrice)))
    if (tier.upTo === null) break
    from = new Decimal(tier.upTo)
  }
  return total
}

/** Fen for the units (offset, offset + quantity] of the period: each unit at the price of the tier it falls in. */
export function rateGraduated(props: GraduatedProperties, range: UnitRange): Decimal {
  return cumulative(props, range.offset.plus(range.quantity)).minus(cumulative(props, range.offset))
}

export function graduatedMaxUnitPrice(props: GraduatedProperties): Decimal {
  return props.tiers.reduce((max, t) => maxDecimal(max, new Decimal(t.unitPrice)), ZERO)
}

export function capGraduated(props: GraduatedProperties, ceiling: Decimal): GraduatedProperties {
  return { tiers: props.tiers.map((t) => ({ upTo: t.upTo, unitPrice: minDecimal(new Decimal(t.unitPrice), ceiling).toFixed() })) }
}
