import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Decimal } from '../money/decimal.ts'
import { capCharge, maxUnitPrice, parseCharge, rateCharge, type Charge } from './index.ts'

const d = (n: number | string) => new Decimal(n)
const rate = (charge: Charge, offset: number, quantity: number) =>
  rateCharge(charge, { offset: d(offset), quantity: d(quantity) }).toFixed()
const parsed = (model: string, properties: unknown): Charge => {
  const result = parseCharge(model, properties)
  if (!result.ok) throw new Error(JSON.stringify(result.fields))
  return result.charge
}

const graduated = parsed('graduated', {
  tiers: [
    { upTo: 10, unitPrice: '4' },
    { upTo: 30, unitPrice: '3.125' },
    { upTo: null, unitPrice: '2' },
  ],
})
const pack = parsed('package', { packageSize: 100, packagePrice: '150', freeUnits: 20 })

describe('charge models (pure, decimal)', () => {
  it('standard: quantity × unit price, exactly', () => {
    const standard = parsed('standard', { unitPrice: '2.5' })
    expect(rate(standard, 0, 7)).toBe('17.5')
    expect(rate(standard, 1000, 7)).toBe('17.5')
    // 0.1 + 0.2 problems do not exist here: 3 × 0.1 fen is 0.3 fen.
    expect(rate(parsed('standard', { unitPrice: '0.1' }), 0, 3)).toBe('0.3')
  })

  it('graduated: each unit at the price of the tier it falls in, counted from the start of the period', () => {
    expect(rate(graduated, 0, 14)).toBe('52.5') // 10 × 4 + 4 × 3.125
    expect(rate(graduated, 14, 20)).toBe('58') // units 15–34: 16 × 3.125 + 4 × 2
    expect(rate(graduated, 0, 34)).toBe('110.5')
    expect(rate(graduated, 100, 1)).toBe('2')
  })

  it('package: every started block after the free units', () => {
    expect(rate(pack, 0, 20)).toBe('0') // free
    expect(rate(pack, 0, 21)).toBe('150') // the first block starts
    expect(rate(pack, 0, 120)).toBe('150')
    expect(rate(pack, 0, 121)).toBe('300')
    expect(rate(pack, 120, 1)).toBe('150') // the 121st unit opens the second block
  })

  it('fixed fee: the amount per period (or release) billed', () => {
    const fee = parsed('fixed_fee', { amount: '50000' })
    expect(rate(fee, 0, 1)).toBe('50000')
    expect(rate(fee, 0, 2)).toBe('100000')
  })

  it('splitting a period’s units anywhere never changes the total (tiers and blocks carry over)', () => {
    const charges: Charge[] = [graduated, pack, parsed('standard', { unitPrice: '0.013' })]
    fc.assert(
      fc.property(
        fc.constantFrom(...charges),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 8 }),
        (charge, parts) => {
          let offset = d(0)
          let sum = d(0)
          for (const q of parts) {
            sum = sum.plus(rateCharge(charge, { offset, quantity: d(q) }))
            offset = offset.plus(q)
          }
          expect(sum.toFixed()).toBe(rateCharge(charge, { offset: d(0), quantity: offset }).toFixed())
        },
      ),
    )
  })

  it('graduated: the total lies between all units at the cheapest and all at the dearest tier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 1000 }), (offset, q) => {
        const amount = rateCharge(graduated, { offset: d(offset), quantity: d(q) })
        expect(amount.greaterThanOrEqualTo(d(q).times(2))).toBe(true)
        expect(amount.lessThanOrEqualTo(d(q).times(4))).toBe(true)
      }),
    )
  })

  it('capping at a ceiling never asks more per unit than the ceiling, and never more than uncapped', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(graduated, pack, parsed('standard', { unitPrice: '2.5' })),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 600 }),
        (charge, ceilingMilli, q) => {
          const ceiling = d(ceilingMilli).dividedBy(100)
          const { charge: capped, capped: changed } = capCharge(charge, ceiling)
          expect(maxUnitPrice(capped).lessThanOrEqualTo(ceiling) || !changed).toBe(true)
          if (changed) expect(maxUnitPrice(capped).lessThanOrEqualTo(ceiling)).toBe(true)
          const range = { offset: d(0), quantity: d(q) }
          expect(rateCharge(capped, range).lessThanOrEqualTo(rateCharge(charge, range))).toBe(true)
        },
      ),
    )
  })

  it('compares a package with the ceiling per unit of a full block', () => {
    expect(maxUnitPrice(pack).toFixed()).toBe('1.5')
    expect(maxUnitPrice(graduated).toFixed()).toBe('4')
  })

  it('refuses malformed properties with a code per field', () => {
    expect(parseCharge('standard', { unitPrice: '-1' })).toEqual({ ok: false, fields: { unitPrice: 'decimal' } })
    expect(parseCharge('standard', { unitPrice: '1e3' })).toEqual({ ok: false, fields: { unitPrice: 'decimal' } })
    expect(parseCharge('standard', { unitPrice: '0.1234567' })).toEqual({ ok: false, fields: { unitPrice: 'decimal' } })
    expect(parseCharge('standard', { unitPrice: 2.5 }).ok).toBe(false) // a float is never a price
    expect(parseCharge('magic', {})).toEqual({ ok: false, fields: { model: 'unknown_model' } })
    const tiers = parseCharge('graduated', {
      tiers: [
        { upTo: 30, unitPrice: '4' },
        { upTo: 10, unitPrice: '3' },
        { upTo: 50, unitPrice: '2' },
      ],
    })
    expect(tiers).toEqual({ ok: false, fields: { 'tiers.1.upTo': 'tiers_ascending', 'tiers.2.upTo': 'last_tier_unbounded' } })
    expect(parseCharge('package', { packageSize: 0, packagePrice: '1' }).ok).toBe(false)
  })
})
