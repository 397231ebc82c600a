import { describe, expect, it } from 'vitest'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { parsePriceProposal, type PriceProposalForm } from './parse-price-proposal.ts'

const base = { productId: 'p-1', effectiveFrom: '2026-12-01', chargeUnit: 'call', model: 'standard', unitPrice: '4' }

const parse = (form: PriceProposalForm) => parsePriceProposal(form)
const fieldsOf = (form: PriceProposalForm) => {
  const result = parse(form)
  return result.ok ? null : result.error.fields
}

describe('parsePriceProposal: the proposal form → proposePriceBook’s input', () => {
  it('reads a standard price, the effective day as its Shanghai midnight, the trial flag and the note', () => {
    const result = parse({ ...base, isTrial: 'on', note: '  首版定价  ' })
    expect(result).toEqual({
      ok: true,
      value: {
        productId: 'p-1',
        effectiveFrom: fromLocal(2026, 12, 1),
        isTrial: true,
        note: '首版定价',
        charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '4' } }],
      },
    })
    expect(parse(base).ok && parse(base)).toMatchObject({ value: { isTrial: false, note: undefined } })
  })

  it('reads each model from its own inputs, and a monthly base fee as a second charge', () => {
    const charge = (form: PriceProposalForm) => {
      const result = parse({ ...base, unitPrice: undefined, ...form })
      if (!result.ok) throw new Error(JSON.stringify(result.error.fields))
      return result.value.charges
    }
    expect(charge({ model: 'graduated', tiers: '10000:4\n100000：3， *:2' })).toEqual([
      {
        chargeUnit: 'call',
        model: 'graduated',
        properties: {
          tiers: [
            { upTo: 10000, unitPrice: '4' },
            { upTo: 100000, unitPrice: '3' },
            { upTo: null, unitPrice: '2' },
          ],
        },
      },
    ])
    expect(charge({ model: 'package', packageSize: '1000', packagePrice: '4000' })[0]!.properties).toEqual({
      packageSize: 1000,
      packagePrice: '4000',
      freeUnits: 0,
    })
    expect(charge({ chargeUnit: 'model_release', model: 'fixed_fee', fixedAmount: '50000', baseFee: '1200.5' })).toEqual([
      { chargeUnit: 'model_release', model: 'fixed_fee', properties: { amount: '50000' } },
      { chargeUnit: 'service_month', model: 'fixed_fee', properties: { amount: '1200.5' } },
    ])
  })

  it('names every field’s first problem at once, keyed by the form’s inputs', () => {
    expect(fieldsOf({})).toEqual({ productId: 'required', effectiveFrom: 'required', chargeUnit: 'required', model: 'required' })
    expect(fieldsOf({ ...base, effectiveFrom: '2026-02-30', unitPrice: 'abc', baseFee: '-5', note: 'x'.repeat(501) })).toEqual({
      effectiveFrom: 'invalid_date',
      price: 'decimal',
      baseFee: 'decimal',
      note: 'too_long',
    })
    // Tiers out of order and the last one bounded: the first problem the model's schema reports is the one shown.
    expect(fieldsOf({ ...base, model: 'graduated', tiers: '100:4, 50:3, 200:2' })).toEqual({ price: 'tiers_ascending' })
    expect(fieldsOf({ ...base, model: 'graduated', tiers: '100:4, 200:3' })).toEqual({ price: 'last_tier_unbounded' })
    expect(fieldsOf({ ...base, model: 'graduated', tiers: '*:4, *:3' })).toEqual({ price: 'only_last_tier_unbounded' })
  })

  it('refuses hostile values without throwing', () => {
    const hostile: [PriceProposalForm, Record<string, string>][] = [
      // Not text at all.
      [{ ...base, productId: 42 }, { productId: 'required' }],
      [{ ...base, chargeUnit: ['call'] }, { chargeUnit: 'required' }],
      [{ ...base, model: { toString: () => 'standard' } }, { model: 'required' }],
      [{ ...base, unitPrice: 4 }, { price: 'invalid' }],
      // Unknown choices, and a checkbox that is not one.
      [{ ...base, chargeUnit: '__proto__' }, { chargeUnit: 'required' }],
      [{ ...base, model: 'constructor' }, { model: 'required' }],
      [{ ...base, isTrial: 'yes' }, { isTrial: 'invalid' }],
      // Numbers that only look like numbers.
      [{ ...base, unitPrice: '４' }, { price: 'decimal' }],
      [{ ...base, unitPrice: '1e3' }, { price: 'decimal' }],
      [{ ...base, unitPrice: 'NaN' }, { price: 'decimal' }],
      [{ ...base, unitPrice: 'Infinity' }, { price: 'decimal' }],
      [{ ...base, unitPrice: '0.1234567' }, { price: 'decimal' }],
      [{ ...base, unitPrice: '01' }, { price: 'decimal' }],
      [{ ...base, model: 'package', packageSize: '1e3', packagePrice: '40' }, { price: 'invalid_package' }],
      [{ ...base, model: 'package', packageSize: '0x10', packagePrice: '40' }, { price: 'invalid_package' }],
      [{ ...base, model: 'package', packageSize: '0', packagePrice: '40' }, { price: 'invalid_package' }],
      [{ ...base, model: 'package', packageSize: '-1', packagePrice: '40' }, { price: 'invalid_package' }],
      [{ ...base, model: 'package', packageSize: '10', packagePrice: '40', freeUnits: '1.5' }, { price: 'invalid_package' }],
      [{ ...base, model: 'package', packageSize: '9999999999', packagePrice: '40' }, { price: 'invalid_package' }],
      [{ ...base, model: 'graduated', tiers: '99999999999999:4, *:2' }, { price: 'invalid_tiers' }],
      [{ ...base, model: 'graduated', tiers: ':::' }, { price: 'invalid_tiers' }],
      [{ ...base, model: 'graduated', tiers: ' , ; \n' }, { price: 'invalid_tiers' }],
      // More tiers than a price book holds, and more text than the form takes.
      [
        { ...base, model: 'graduated', tiers: Array.from({ length: 21 }, (_, i) => `${i + 1}:1`).join(',') + ',*:1' },
        { price: 'too_long' },
      ],
      [{ ...base, model: 'graduated', tiers: '1:1\n'.repeat(600) }, { price: 'too_long' }],
      [{ ...base, unitPrice: '9'.repeat(100_000) }, { price: 'too_long' }],
      [{ ...base, productId: 'p'.repeat(65) }, { productId: 'invalid' }],
      // Dates that are not a Shanghai day.
      [{ ...base, effectiveFrom: '2026-12-01T00:00:00Z' }, { effectiveFrom: 'invalid_date' }],
      [{ ...base, effectiveFrom: '2026-13-01' }, { effectiveFrom: 'invalid_date' }],
      [{ ...base, effectiveFrom: '+02026-12-01' }, { effectiveFrom: 'invalid_date' }],
      [{ ...base, effectiveFrom: '' }, { effectiveFrom: 'invalid_date' }],
    ]
    for (const [form, fields] of hostile) expect(fieldsOf(form), JSON.stringify(form).slice(0, 120)).toEqual(fields)
  })

  it('leaves what needs the database or the clock to proposePriceBook (a past day, a model the unit cannot take)', () => {
    expect(parse({ ...base, effectiveFrom: '2000-01-01' }).ok).toBe(true)
    expect(parse({ ...base, chargeUnit: 'service_month', model: 'standard' }).ok).toBe(true)
  })
})
