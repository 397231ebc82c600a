import { fail, ok, type Result } from '#platform/result.ts'
import { parseYuanAmount, parseYuanUnitPrice } from '#platform/money/money.ts'

type FormValues = Record<string, unknown>

const TIER_PRICE = /([:：]\s*)(\S+)/g

/**
 * The operator's price proposal is typed in yuan (ADR 0048): unit prices (and tier prices) with at most four decimals,
 * block prices, fixed fees and the monthly base fee with at most two. The billing parser keeps reading fen per unit, so
 * the fields of the chosen model are converted here; a value that is not yuan is the problem of its field (`price` or
 * `baseFee`), and an empty one is left for the parser to call `required`/`decimal`.
 */
export function proposalYuanToFen(form: FormValues): Result<FormValues> {
  const out: FormValues = { ...form }
  const fields: Record<string, string> = {}
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '')
  const convert = (name: string, errorField: string, kind: 'unit' | 'amount') => {
    const value = text(name)
    if (value === '') return
    const parsed = kind === 'unit' ? parseYuanUnitPrice(value) : parseYuanAmount(value)
    if (parsed.ok) out[name] = String(parsed.fen)
    else fields[errorField] ??= parsed.code
  }
  switch (form.model) {
    case 'standard':
      convert('unitPrice', 'price', 'unit')
      break
    case 'graduated': {
      const tiers = text('tiers')
      if (tiers === '') break
      out.tiers = tiers.replace(TIER_PRICE, (whole, sep: string, price: string) => {
        const parsed = parseYuanUnitPrice(price)
        if (parsed.ok) return `${sep}${parsed.fen}`
        if (parsed.code === 'too_many_decimals') fields.price ??= parsed.code
        return whole
      })
      break
    }
    case 'package':
      convert('packagePrice', 'price', 'amount')
      break
    case 'fixed_fee':
      convert('fixedAmount', 'price', 'amount')
      break
  }
  convert('baseFee', 'baseFee', 'amount')
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The prices are not yuan', fields)
  return ok(out)
}

/** The bureau's ceiling, typed in yuan per unit (at most four decimals), as the fen per unit the parser reads. */
export function ceilingYuanToFen(form: FormValues): Result<FormValues> {
  const value = typeof form.maxUnitPrice === 'string' ? form.maxUnitPrice.trim() : ''
  if (value === '') return ok(form)
  const parsed = parseYuanUnitPrice(value)
  if (!parsed.ok) return fail('validation', 'validation_failed', 'The ceiling is not yuan', { maxUnitPrice: parsed.code })
  return ok({ ...form, maxUnitPrice: parsed.fen })
}
