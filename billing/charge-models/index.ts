import { fieldErrors } from '#platform/validation/field-errors.ts'
import type { ChargeModelName, ChargeUnit } from '#db/schema/index.ts'
import { Decimal } from '../money/decimal.ts'
import { capFixedFee, fixedFeeMaxUnitPrice, fixedFeeProperties, rateFixedFee, type FixedFeeProperties } from './fixed-fee.ts'
import { capGraduated, graduatedMaxUnitPrice, graduatedProperties, rateGraduated, type GraduatedProperties } from './graduated.ts'
import { capPackage, packageMaxUnitPrice, packageProperties, ratePackage, type PackageProperties } from './package.ts'
import { capStandard, rateStandard, standardMaxUnitPrice, standardProperties, type StandardProperties } from './standard.ts'
import type { UnitRange } from './units.ts'

export type { UnitRange } from './units.ts'

/** A charge model with its validated properties. */
export type Charge =
  | { model: 'standard'; properties: StandardProperties }
  | { model: 'graduated'; properties: GraduatedProperties }
  | { model: 'package'; properties: PackageProperties }
  | { model: 'fixed_fee'; properties: FixedFeeProperties }

/** Which models can price which charge unit: meters take per-unit models, periods of service a fixed fee. */
export const MODELS_FOR_UNIT: Record<ChargeUnit, readonly ChargeModelName[]> = {
  call: ['standard', 'graduated', 'package'],
  record: ['standard', 'graduated', 'package'],
  masked_field: ['standard', 'graduated', 'package'],
  mb_exported: ['standard', 'graduated', 'package'],
  compute_second: ['standard', 'graduated', 'package'],
  model_release: ['fixed_fee', 'package'],
  service_month: ['fixed_fee'],
  service_year: ['fixed_fee'],
}

function unreachable(x: never): never {
  throw new Error(`unknown charge model: ${JSON.stringify(x)}`)
}

export type ParsedCharge = { ok: true; charge: Charge } | { ok: false; fields: Record<string, string> }

/** Validates a model name and its properties (zod schema of the model's own file). */
export function parseCharge(model: string, properties: unknown): ParsedCharge {
  const schema =
    model === 'standard'
      ? standardProperties
      : model === 'graduated'
        ? graduatedProperties
        : model === 'package'
          ? packageProperties
          : model === 'fixed_fee'
            ? fixedFeeProperties
            : null
  if (!schema) return { ok: false, fields: { model: 'unknown_model' } }
  const parsed = schema.safeParse(properties)
  if (!parsed.success) {
    return { ok: false, fields: fieldErrors(parsed.error, { root: 'properties' }) }
  }
  return { ok: true, charge: { model, properties: parsed.data } as Charge }
}

/** The fen a charge asks for the given units of a period, unrounded. */
export function rateCharge(charge: Charge, range: UnitRange): Decimal {
  switch (charge.model) {
    case 'standard':
      return rateStandard(charge.properties, range)
    case 'graduated':
      return rateGraduated(charge.properties, range)
    case 'package':
      return ratePackage(charge.properties, range)
    case 'fixed_fee':
      return rateFixedFee(charge.properties, range)
    default:
      return unreachable(charge)
  }
}

/** The highest price per unit the charge can ask: a proposal is refused when it exceeds the ceiling. */
export function maxUnitPrice(charge: Charge): Decimal {
  switch (charge.model) {
    case 'standard':
      return standardMaxUnitPrice(charge.properties)
    case 'graduated':
      return graduatedMaxUnitPrice(charge.properties)
    case 'package':
      return packageMaxUnitPrice(charge.properties)
    case 'fixed_fee':
      return fixedFeeMaxUnitPrice(charge.properties)
    default:
      return unreachable(charge)
  }
}

/** The charge with no unit priced above `ceiling` (fen per unit); `capped` says whether anything changed. */
export function capCharge(charge: Charge, ceiling: Decimal): { charge: Charge; capped: boolean } {
  if (maxUnitPrice(charge).lessThanOrEqualTo(ceiling)) return { charge, capped: false }
  switch (charge.model) {
    case 'standard':
      return { charge: { model: 'standard', properties: capStandard(charge.properties, ceiling) }, capped: true }
    case 'graduated':
      return { charge: { model: 'graduated', properties: capGraduated(charge.properties, ceiling) }, capped: true }
    case 'package':
      return { charge: { model: 'package', properties: capPackage(charge.properties, ceiling) }, capped: true }
    case 'fixed_fee':
      return { charge: { model: 'fixed_fee', properties: capFixedFee(charge.properties, ceiling) }, capped: true }
    default:
      return unreachable(charge)
  }
}

/** The price to print on an invoice line: the unit price for standard and fixed fees, else amount ÷ quantity. */
export function displayUnitPrice(charge: Charge, quantity: Decimal, amount: Decimal): Decimal {
  if (charge.model === 'standard') return new Decimal(charge.properties.unitPrice)
  if (charge.model === 'fixed_fee') return new Decimal(charge.properties.amount)
  if (quantity.isZero()) return new Decimal(0)
  return amount.dividedBy(quantity).toDecimalPlaces(6)
}
