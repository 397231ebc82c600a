import { z } from 'zod'
import { CHARGE_MODELS, CHARGE_UNITS, type ChargeModelName } from '#db/schema/index.ts'
import { parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parseCharge } from '../charge-models/index.ts'
import { readFields } from '../forms/read-fields.ts'
import { DECIMAL_TEXT } from '../money/decimal.ts'
import type { ProposedCharge, ProposePriceBookInput } from './propose-price-book.ts'

/**
 * The operator's proposal form as it is posted: one usage charge whose model's properties come from flat fields (a
 * unit price, tier lines, a block size and price, a fixed amount), and an optional monthly base fee. Every value is
 * text; anything else (or nothing) is a problem of its field.
 */
export interface PriceProposalForm {
  productId?: unknown
  /** YYYY-MM-DD, Asia/Shanghai. */
  effectiveFrom?: unknown
  /** A checkbox: `on` when ticked. */
  isTrial?: unknown
  note?: unknown
  chargeUnit?: unknown
  model?: unknown
  unitPrice?: unknown
  /** "10000:4, 100000:3, *:2": up-to:fen per unit, one tier per line or comma; the last bound is `*` (or empty). */
  tiers?: unknown
  packageSize?: unknown
  packagePrice?: unknown
  freeUnits?: unknown
  fixedAmount?: unknown
  /** A fixed fee per month of service, fen. */
  baseFee?: unknown
}

/** The field that shows any problem of the usage charge's price, whichever model's inputs it came from. */
export const PRICE_FIELD = 'price'

const MAX_TIERS_TEXT = 2_000
const WHOLE_NUMBER = /^\d{1,9}$/
const TIER = /^(\d{1,12}|\*)?\s*[:：]\s*(\S+)$/

const optionalText = (max: number) => z.string().trim().max(max, 'too_long').optional()
const required = () => ({ errorMap: () => ({ message: 'required' }) })

/** Tier lines → tiers, or null when a line is not `up-to:price` (the model's own schema checks the order). */
function parseTiers(text: string): { upTo: number | null; unitPrice: string }[] | null {
  const parts = text
    .split(/[,，;；\n]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  if (parts.length === 0) return null
  const tiers: { upTo: number | null; unitPrice: string }[] = []
  for (const part of parts) {
    const match = TIER.exec(part)
    if (!match || !DECIMAL_TEXT.test(match[2]!)) return null
    tiers.push({ upTo: match[1] && match[1] !== '*' ? Number(match[1]) : null, unitPrice: match[2]! })
  }
  return tiers
}

/** The inputs the models' properties are read from: their problems are all shown at `price`. */
const PRICE_INPUTS = ['unitPrice', 'tiers', 'packageSize', 'packagePrice', 'freeUnits', 'fixedAmount'] as const
type PriceInputs = Partial<Record<(typeof PRICE_INPUTS)[number], string>>

/** The model's properties from its flat fields, or the code of what is wrong with them. */
function propertiesOf(model: ChargeModelName, f: PriceInputs): { properties: unknown } | { problem: string } {
  const isDecimal = (v: string | undefined): v is string => v !== undefined && DECIMAL_TEXT.test(v)
  switch (model) {
    case 'standard':
      return isDecimal(f.unitPrice) ? { properties: { unitPrice: f.unitPrice } } : { problem: 'decimal' }
    case 'graduated': {
      const tiers = parseTiers(f.tiers ?? '')
      return tiers ? { properties: { tiers } } : { problem: 'invalid_tiers' }
    }
    case 'package': {
      const free = f.freeUnits || '0'
      const isBlockSize = f.packageSize !== undefined && WHOLE_NUMBER.test(f.packageSize) && Number(f.packageSize) >= 1
      if (!isBlockSize || !WHOLE_NUMBER.test(free) || !isDecimal(f.packagePrice)) return { problem: 'invalid_package' }
      return { properties: { packageSize: Number(f.packageSize), packagePrice: f.packagePrice, freeUnits: Number(free) } }
    }
    case 'fixed_fee':
      return isDecimal(f.fixedAmount) ? { properties: { amount: f.fixedAmount } } : { problem: 'decimal' }
  }
}

const FIELDS = {
  productId: z.string(required()).trim().min(1, 'required').max(64, 'invalid'),
  effectiveFrom: z
    .string(required())
    .trim()
    .max(10, 'invalid_date')
    .transform((text, ctx) => parseDay(text) ?? void ctx.addIssue({ code: 'custom', message: 'invalid_date' })),
  isTrial: z.literal('on').optional(),
  note: optionalText(500),
  chargeUnit: z.enum(CHARGE_UNITS, required()),
  model: z.enum(CHARGE_MODELS, required()),
  unitPrice: optionalText(40),
  tiers: optionalText(MAX_TIERS_TEXT),
  packageSize: optionalText(40),
  packagePrice: optionalText(40),
  freeUnits: optionalText(40),
  fixedAmount: optionalText(40),
  baseFee: optionalText(40),
} satisfies Record<keyof PriceProposalForm, z.ZodTypeAny>

/**
 * The proposal form → the input `proposePriceBook` takes, or the first problem of each field (`fieldErrors`), keyed by
 * the form's own names; every problem of the usage charge's price is shown at `price` ({@link PRICE_FIELD}). The
 * effective date is a Shanghai day; whether it is past, and whether the price is within the ceiling, is
 * `proposePriceBook`'s to say.
 */
export function parsePriceProposal(form: PriceProposalForm): Result<ProposePriceBookInput> {
  const { values, fields } = readFields(FIELDS, form)
  const problem = (name: string, code: string) => void (fields[name] ??= code)
  const { productId, effectiveFrom, note, chargeUnit, model, baseFee } = values
  for (const input of PRICE_INPUTS) {
    if (fields[input]) problem(PRICE_FIELD, fields[input])
    delete fields[input]
  }

  const charges: ProposedCharge[] = []
  if (model !== undefined) {
    const usage = propertiesOf(model, values)
    if ('problem' in usage) problem(PRICE_FIELD, usage.problem)
    else {
      // The model's own schema (charge-models/) has the last word: tier order and bounds, block size.
      const parsed = parseCharge(model, usage.properties)
      if (!parsed.ok) problem(PRICE_FIELD, Object.values(parsed.fields)[0]!)
      if (chargeUnit !== undefined) charges.push({ chargeUnit, model, properties: usage.properties })
    }
  }
  if (baseFee) {
    if (!DECIMAL_TEXT.test(baseFee)) problem('baseFee', 'decimal')
    charges.push({ chargeUnit: 'service_month', model: 'fixed_fee', properties: { amount: baseFee } })
  }
  if (Object.keys(fields).length > 0 || productId === undefined || effectiveFrom === undefined)
    return fail('validation', 'validation_failed', 'The proposal is not valid', fields)
  return ok({ productId, effectiveFrom, isTrial: values.isTrial === 'on', note, charges })
}
