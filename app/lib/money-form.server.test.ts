import { describe, expect, it } from 'vitest'
import { ceilingYuanToFen, proposalYuanToFen } from './money-form.server.ts'

describe('forms typed in yuan, read by billing in fen (ADR 0048)', () => {
  it('converts the chosen model’s prices and the base fee', () => {
    expect(proposalYuanToFen({ model: 'standard', unitPrice: '0.025', baseFee: '500' })).toEqual({
      ok: true,
      value: { model: 'standard', unitPrice: '2.5', baseFee: '50000' },
    })
    const tiers = proposalYuanToFen({ model: 'graduated', tiers: '10000:0.04\n100000：0.03\n*:0.02' })
    expect(tiers.ok && tiers.value.tiers).toBe('10000:4\n100000：3\n*:2')
    const block = proposalYuanToFen({ model: 'package', packagePrice: '40.00', unitPrice: 'junk' })
    expect(block.ok && block.value).toMatchObject({ packagePrice: '4000', unitPrice: 'junk' })
  })
  it('refuses more decimals than allowed beside the field', () => {
    expect(proposalYuanToFen({ model: 'standard', unitPrice: '0.00001' })).toMatchObject({
      ok: false,
      error: { fields: { price: 'too_many_decimals' } },
    })
    expect(proposalYuanToFen({ model: 'fixed_fee', fixedAmount: '1.005', baseFee: '0.001' })).toMatchObject({
      ok: false,
      error: { fields: { price: 'too_many_decimals', baseFee: 'too_many_decimals' } },
    })
    expect(proposalYuanToFen({ model: 'graduated', tiers: '*:0.123456' })).toMatchObject({
      ok: false,
      error: { fields: { price: 'too_many_decimals' } },
    })
    expect(ceilingYuanToFen({ maxUnitPrice: '-1' })).toMatchObject({ ok: false, error: { fields: { maxUnitPrice: 'decimal' } } })
  })
  it('leaves empty or malformed values to the billing parser', () => {
    expect(proposalYuanToFen({ model: 'standard', unitPrice: '' })).toEqual({
      ok: true,
      value: { model: 'standard', unitPrice: '' },
    })
    expect(ceilingYuanToFen({ maxUnitPrice: '0.05' })).toEqual({ ok: true, value: { maxUnitPrice: '5' } })
    expect(ceilingYuanToFen({})).toEqual({ ok: true, value: {} })
  })
})
