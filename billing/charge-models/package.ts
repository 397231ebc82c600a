import { z } from 'zod'
import { Decimal, decimalString, minDecimal, ZERO } from '../money/decimal.ts'
import type { UnitRange } from './units.ts'

/**
 * Package (per block of N units): after `freeUnits` free units of the period, every started block of `packageSize`
 * units costs `packagePrice` fen.
 */
export const packageProperties = z
  .object({
    packageSize: z.number().int().positive().max(1_000_000_000),
    packagePrice: decimalString,
    freeUnits: z.number().int().min(0).max(1_000_000_000).default(0),
  })
  .strict()
export type PackageProperties = z.infer<typeof packageProperties>

function cumulative(props: PackageProperties, units: Decimal): Decimal {
  const billable = units.minus(props.freeUnits)
  if (billable.lessThanOrEqualTo(ZERO)) return ZERO
  return billable.dividedBy(props.packageSize).ceil().times(new Decimal(props.packagePrice))
}

/** Fen for the units (offset, offset + quantity] of the period: the blocks those units start. */
export function ratePackage(props: PackageProperties, range: UnitRange): Decimal {
  return cumulative(props, range.offset.plus(range.quantity)).minus(cumulative(props, range.offset))
}

/** The price per unit of a full block: what the ceiling (fen per unit) is compared with. */
export function packageMaxUnitPrice(props: PackageProperties): Decimal {
  return new Decimal(props.packagePrice).dividedBy(props.packageSize)
}

export function capPackage(props: PackageProperties, ceiling: Decimal): PackageProperties {
  return { ...props, packagePrice: minDecimal(new Decimal(props.packagePrice), ceiling.times(props.packageSize)).toFixed() }
}
