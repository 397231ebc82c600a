import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { costEntries, priceBooks } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { formatDay, fromLocal, parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { parsePriceCeiling } from '#billing/ceilings/parse-price-ceiling.ts'
import { proposePriceBookFromForm } from '#billing/price-books/propose-price-book-from-form.ts'
import { recordCostEntryFromForm } from '#billing/costs/record-cost-entry-from-form.ts'
import { nextPeriod, periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { addProduct } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// The pricing pages' forms, read and checked in billing/: every refusal names the form's own inputs.
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
/** The first day of a month to come, as the form posts it. */
const effectiveFrom = formatDay(nextPeriod(nextPeriod(periodOf(Date.now()))).start)

describe('the price proposal form (proposePriceBookFromForm)', () => {
  let t: TestDatabase
  let productId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    productId = await addProduct(t.db, 'pricing-form-test')
    for (const [chargeUnit, maxUnitPrice] of [
      ['call', '5'],
      ['service_month', '50000'],
    ] as const) {
      const set = await setPriceCeiling(t.db, {
        input: { productId, chargeUnit, maxUnitPrice, effectiveFrom: parseDay(effectiveFrom)!, basis: '测试' },
        actor: bureau,
      })
      expect(set.ok).toBe(true)
    }
  })
  afterEach(() => t.destroy())

  const propose = (form: Record<string, unknown>, actor = operator) =>
    proposePriceBookFromForm(t.db, {
      form: { productId, effectiveFrom, chargeUnit: 'call', model: 'standard', unitPrice: '4', ...form },
      actor,
    })
  const refusal = async (form: Record<string, unknown>) => {
    const result = await propose(form)
    return result.ok ? null : { kind: result.error.kind, code: result.error.code, fields: result.error.fields }
  }
  const books = () => t.db.select().from(priceBooks).where(eq(priceBooks.productId, productId))

  it('proposes a book from the posted fields: the usage charge and the monthly base fee', async () => {
    const result = await propose({ baseFee: '30000', isTrial: 'on', note: '首版' })
    expect(result.ok && result.value.version).toBe(1)
    const [book] = await books()
    expect(book).toMatchObject({ state: 'pending_review', isTrial: true, note: '首版', effectiveFrom: parseDay(effectiveFrom) })
  })

  it('shows a price above the ceiling beside the input it came from, with the ceiling', async () => {
    expect(await refusal({ unitPrice: '6' })).toEqual({
      kind: 'validation',
      code: 'price_above_ceiling',
      fields: { price: 'price_above_ceiling', 'price.ceiling': '5' },
    })
    expect(await refusal({ baseFee: '60000' })).toEqual({
      kind: 'validation',
      code: 'price_above_ceiling',
      fields: { baseFee: 'price_above_ceiling', 'baseFee.ceiling': '50000' },
    })
    // A block of 1000 calls for 6000 fen is 6 fen per call: above the ceiling of 5.
    expect((await refusal({ model: 'package', packageSize: '1000', packagePrice: '6000' }))?.fields).toEqual({
      price: 'price_above_ceiling',
      'price.ceiling': '5',
    })
    expect(await books()).toEqual([])
  })

  it('names the model, the charge unit and the base fee when the operation refuses them', async () => {
    expect((await refusal({ chargeUnit: 'record' }))?.fields).toEqual({ price: 'no_ceiling' })
    expect((await refusal({ chargeUnit: 'service_month', model: 'standard' }))?.fields).toEqual({
      model: 'model_not_allowed_for_unit',
    })
    expect(
      (await refusal({ chargeUnit: 'service_month', model: 'fixed_fee', fixedAmount: '100', baseFee: '100' }))?.fields,
    ).toEqual({ baseFee: 'duplicate_charge_unit' })
    expect(await refusal({ effectiveFrom: '2020-01-01' })).toMatchObject({ fields: { effectiveFrom: 'past' } })
    expect(await refusal({ productId: 'no-such-product' })).toEqual({
      kind: 'not_found',
      code: 'product_not_found',
      fields: { productId: 'not_found' },
    })
  })

  it('reports every field of a malformed form at once, and nothing is proposed', async () => {
    expect(
      await refusal({ productId: '', effectiveFrom: '2026-02-30', unitPrice: '1e3', baseFee: 'x', note: 'n'.repeat(501) }),
    ).toEqual({
      kind: 'validation',
      code: 'validation_failed',
      fields: { productId: 'required', effectiveFrom: 'invalid_date', price: 'decimal', baseFee: 'decimal', note: 'too_long' },
    })
    expect(await books()).toEqual([])
  })

  it('refuses a bureau user before reading the form', async () => {
    const result = await propose({ unitPrice: 'not even a price' }, bureau)
    expect(result.ok || result.error).toMatchObject({ kind: 'forbidden' })
    expect(result.ok || result.error.fields).toBeUndefined()
  })

  it('two proposals at once get two versions', async () => {
    const results = await Promise.all([propose({}), propose({ unitPrice: '3' })])
    expect(results.map((r) => r.ok && r.value.version).sort()).toEqual([1, 2])
  })
})

describe('the cost entry form (recordCostEntryFromForm)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  // Clear of the demo costs a seeded base database holds for the last three months.
  let period = periodOf(Date.now())
  for (let i = 0; i < 5; i++) period = previousPeriod(period)
  const record = (form: Record<string, unknown>, actor = operator) =>
    recordCostEntryFromForm(t.db, {
      form: { period: period.period, category: 'compute', gross: '1,234.56', subsidy: '', ...form },
      actor,
    })

  it('reads yuan into fen by string arithmetic, a blank subsidy as none', async () => {
    const result = await record({ note: '云资源' })
    expect(result.ok && result.value.netFen).toBe(123_456)
    const [row] = await t.db.select().from(costEntries).where(eq(costEntries.period, period.period))
    expect(row).toMatchObject({ grossFen: 123_456, subsidyFen: 0, note: '云资源' })
    expect(
      (await record({ gross: '¥100', subsidy: '0.5' })).ok && (await record({ gross: '100', subsidy: '0.5' })),
    ).toMatchObject({
      value: { netFen: 9_950 },
    })
  })

  it('names the form’s inputs: gross and subsidy in yuan, not the operation’s fen', async () => {
    const fields = async (form: Record<string, unknown>) => {
      const result = await record(form)
      return result.ok ? null : result.error.fields
    }
    expect(await fields({ gross: '100', subsidy: '100.01' })).toEqual({ subsidy: 'subsidy_exceeds_cost' })
    expect(await fields({ period: '2999-01' })).toEqual({ period: 'future_period' })
    expect(
      await fields({ period: '2026-13', category: 'marketing', gross: '', subsidy: '1.234', note: 'n'.repeat(201) }),
    ).toEqual({
      period: 'invalid_period',
      category: 'required',
      gross: 'required',
      subsidy: 'invalid_amount',
      note: 'too_long',
    })
    expect(await fields({ gross: '-5' })).toEqual({ gross: 'invalid_amount' })
    expect(await fields({ gross: '1e9' })).toEqual({ gross: 'invalid_amount' })
    expect(await fields({ gross: '9'.repeat(100_000) })).toEqual({ gross: 'invalid_amount' })
    expect(await fields({ gross: 12 })).toEqual({ gross: 'invalid' })
    expect(await t.db.$count(costEntries)).toBe((await t.db.select().from(costEntries)).length)
  })

  it('refuses a bureau user', async () => {
    const result = await record({}, bureau)
    expect(result.ok || result.error.kind).toBe('forbidden')
  })
})

describe('the ceiling form (parsePriceCeiling)', () => {
  const base = { productId: 'p-1', chargeUnit: 'call', maxUnitPrice: ' 5 ', effectiveFrom: '2026-12-01', basis: '沈发改价格' }

  it('reads the effective day as its Shanghai midnight', () => {
    expect(parsePriceCeiling(base)).toEqual({
      ok: true,
      value: {
        productId: 'p-1',
        chargeUnit: 'call',
        maxUnitPrice: '5',
        effectiveFrom: fromLocal(2026, 12, 1),
        basis: '沈发改价格',
        // No re-evaluation day given: the operation defaults it (ADR 0036).
        reevaluateBy: null,
      },
    })
  })

  it('names every field’s first problem at once, hostile values included', () => {
    const fields = (form: Record<string, unknown>) => {
      const result = parsePriceCeiling(form)
      return result.ok ? null : result.error.fields
    }
    expect(fields({})).toEqual({
      productId: 'required',
      chargeUnit: 'required',
      maxUnitPrice: 'required',
      effectiveFrom: 'required',
    })
    expect(
      fields({ ...base, chargeUnit: 'hour', maxUnitPrice: '-1', effectiveFrom: '2026-02-29', basis: 'b'.repeat(201) }),
    ).toEqual({
      chargeUnit: 'required',
      maxUnitPrice: 'decimal',
      effectiveFrom: 'invalid_date',
      basis: 'too_long',
    })
    expect(fields({ ...base, maxUnitPrice: '1e3' })).toEqual({ maxUnitPrice: 'decimal' })
    expect(fields({ ...base, maxUnitPrice: ['5'] })).toEqual({ maxUnitPrice: 'required' })
    expect(fields({ ...base, effectiveFrom: '2026-12-01T00:00:00Z' })).toEqual({ effectiveFrom: 'invalid_date' })
    expect(fields({ ...base, effectiveFrom: '9'.repeat(100_000) })).toEqual({ effectiveFrom: 'invalid_date' })
  })
})
