import { z } from 'zod'
import { Decimal, decimalString, minDecimal } from '../money/decimal.ts'
import type { UnitRange } from './units.ts'

/** Standard (per unit): every unit costs `unitPrice` fen. */
export const standardProperties = z.object({ unitPrice: decimalString }).strict()
export type StandardProperties = z.infer<typeof standardProperties>

/** quantity × unitPrice, in fen, unrounded. */
export function rateStandard(props: StandardProperties, range: UnitRange): Decimal {
  return range.quantity.times(new Decimal(props.unitPrice))
}

export function standardMaxUnitPrice(props: StandardProperties): Decimal {
  return new Decimal(props.unitPrice)
}

export function capStandard(props: StandardProperties, ceiling: Decimal): StandardProperties {
  return { unitPrice: minDecimal(new Decimal(props.unitPrice), ceiling).toFixed() }
}
