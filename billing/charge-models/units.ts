import type { Decimal } from '../money/decimal.ts'

/**
 * The units a charge is asked to price within one billing period: the `quantity` units that follow the first
 * `offset` units of the period. Graduated and package charges depend on the offset (tiers and blocks count from the
 * start of the period); standard and fixed-fee charges do not.
 */
export interface UnitRange {
  offset: Decimal
  quantity: Decimal
}
