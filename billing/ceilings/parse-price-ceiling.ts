import { z } from 'zod'
import { CHARGE_UNITS } from '#db/schema/index.ts'
import { parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { readFields } from '../forms/read-fields.ts'
import { DECIMAL_TEXT } from '../money/decimal.ts'
import type { SetPriceCeilingInput } from './set-price-ceiling.ts'

/** The bureau's ceiling form as posted: every value text, its names those of `SetPriceCeilingInput`. */
export interface PriceCeilingForm {
  productId?: unknown
  chargeUnit?: unknown
  /** Fen per unit, decimal text. */
  maxUnitPrice?: unknown
  /** YYYY-MM-DD, Asia/Shanghai. */
  effectiveFrom?: unknown
  basis?: unknown
  /** YYYY-MM-DD, Asia/Shanghai; empty: three years after the effective date (ADR 0036). */
  reevaluateBy?: unknown
}

const required = () => ({ errorMap: () => ({ message: 'required' }) })

const FIELDS = {
  productId: z.string(required()).trim().min(1, 'required').max(64, 'invalid'),
  chargeUnit: z.enum(CHARGE_UNITS, required()),
  maxUnitPrice: z.string(required()).trim().regex(DECIMAL_TEXT, 'decimal'),
  effectiveFrom: z
    .string(required())
    .trim()
    .max(10, 'invalid_date')
    .transform((text, ctx) => parseDay(text) ?? void ctx.addIssue({ code: 'custom', message: 'invalid_date' })),
  basis: z.string().trim().max(200, 'too_long').optional(),
  reevaluateBy: z
    .string()
    .trim()
    .max(10, 'invalid_date')
    .transform((text, ctx) =>
      text === '' ? null : (parseDay(text) ?? void ctx.addIssue({ code: 'custom', message: 'invalid_date' })),
    )
    .optional(),
} satisfies Record<keyof PriceCeilingForm, z.ZodTypeAny>

/**
 * The ceiling form → the input `setPriceCeiling` takes (the effective date read as its Shanghai midnight), or the first
 * problem of each field. Whether the date is past is `setPriceCeiling`'s to say.
 */
export function parsePriceCeiling(form: PriceCeilingForm): Result<SetPriceCeilingInput> {
  const { values, fields } = readFields(FIELDS, form)
  const { productId, chargeUnit, maxUnitPrice, effectiveFrom, basis, reevaluateBy } = values
  if (
    productId === undefined ||
    chargeUnit === undefined ||
    maxUnitPrice === undefined ||
    effectiveFrom === undefined ||
    Object.keys(fields).length > 0
  )
    return fail('validation', 'validation_failed', 'The ceiling is not valid', fields)
  return ok({ productId, chargeUnit, maxUnitPrice, effectiveFrom, basis, reevaluateBy: reevaluateBy ?? null })
}
