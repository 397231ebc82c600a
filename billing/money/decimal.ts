import DecimalJs from 'decimal.js'
import { z } from 'zod'

/**
 * The one Decimal of the billing engine: 40 significant digits (a month of 10^9 calls at a fraction of a fen is far
 * inside it) and half-up rounding. Money never passes through a JS number except as integer fen.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 })
export type Decimal = InstanceType<typeof Decimal>

export const ZERO = new Decimal(0)

/** A non-negative decimal written plainly: "2.5", "0.025", "12". At most 6 decimals (a millionth of a fen). */
export const DECIMAL_TEXT = /^(0|[1-9]\d{0,12})(\.\d{1,6})?$/

export const decimalString = z
  .string()
  .trim()
  .regex(DECIMAL_TEXT, 'decimal')
  .transform((s) => new Decimal(s).toFixed())

/** Rounds a precise fen amount once, half-up, to whole fen (ADR 0003, 0010). */
export function roundFen(amount: Decimal): number {
  const rounded = amount.toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
  const n = rounded.toNumber()
  if (!Number.isSafeInteger(n)) throw new Error(`amount out of range: ${amount.toFixed()}`)
  return n
}

/** Canonical text of a decimal: no exponent, no trailing zeros. */
export function decimalText(value: Decimal): string {
  return value.toFixed()
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b
}
