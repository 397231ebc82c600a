import { z } from 'zod'
import { Decimal, decimalString, minDecimal } from '../money/decimal.ts'
import type { UnitRange } from './units.ts'

/**
 * Fixed fee: `amount` fen per period of service (a month for charge unit service_month, a year for service_year) or
 * per model release. The quantity is the number of such periods or releases billed.
 */
export const fixedFeeProperties = z.object({ amount: decimalString }).strict()
export type FixedFeeProperties = z.infer<typeof fixedFeeProperties>

export function rateFixedFee(props: FixedFeeProperties, range: UnitRange): Decimal {
  return range.quantity.times(new Decimal(props.amount))
}

export function fixedFeeMaxUnitPrice(props: FixedFeeProperties): Decimal {
  return new Decimal(props.amount)
}

export function capFixedFee(props: FixedFeeProperties, ceiling: Decimal): FixedFeeProperties {
  return { amount: minDecimal(new Decimal(props.amount), ceiling).toFixed() }
}
