import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { listPriceCeilings } from '#billing/ceilings/list-price-ceilings.ts'
import { proposePriceBook, type ProposedCharge } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { findPriceInForce } from '#billing/price-books/find-price-in-force.ts'
import { listPricesInForce } from '#billing/price-books/list-prices-in-force.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { nextPeriod, periodOf, type BillingPeriod } from '#billing/periods/billing-period.ts'
import { addPartner, addProduct, insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
/** A month to come, so every date below is in the future when the test runs. */
const M = nextPeriod(nextPeriod(periodOf(Date.now())))
const day = (p: BillingPeriod, d: number) => p.start + (d - 1) * 86_400_000
/** The database's refusal of a statement (with drizzle's wrapping unwrapped), or '' if it went through. */
const refusal = (statement: Promise<unknown>) =>
  statement.then(
    () => '',
    (error: unknown) => errorText(error),
  )

describe('ceilings and price books', () => {
  let t: TestDatabase
  let productId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    productId = await addProduct(t.db, 'pricing-test')
  })
  afterEach(() => t.destroy())

  const ceiling = (chargeUnit: string, maxUnitPrice: string, effectiveFrom: number, now = Date.now()) =>
    setPriceCeiling(t.db, { input: { productId, chargeUnit, maxUnitPrice, effectiveFrom, basis: '测试' }, actor: bureau, now })
  const propose = (effectiveFrom: number, charges: ProposedCharge[], now = Date.now()) =>
    proposePriceBook(t.db, { input: { productId, effectiveFrom, charges }, actor: operator, now })
  const standard = (unitPrice: string, chargeUnit = 'call'): ProposedCharge => ({
    chargeUnit,
    model: 'standard',
    properties: { unitPrice },
  })
  const approve = (priceBookId: string, now = Date.now()) =>
    decidePriceBook(t.db, { priceBookId, decision: 'approve', actor: bureau, now })

  it('sets ceilings as versions: refuses a past date, a bad price, an unknown unit or product; a later version supersedes from its date', async () => {
    const past = await ceiling('call', '5', Date.now() - 2 * 86_400_000)
    expect(!past.ok && past.error.fields).toEqual({ effectiveFrom: 'past' })
    const badPrice = await ceiling('call', '5.1234567', M.start)
    expect(!badPrice.ok && badPrice.error.fields).toEqual({ maxUnitPrice: 'decimal' })
    const badUnit = await ceiling('per_hour', '5', M.start)
    expect(!badUnit.ok && badUnit.error.fields).toEqual({ chargeUnit: 'unknown_charge_unit' })
    const noProduct = await setPriceCeiling(t.db, {
      input: { productId: 'nope', chargeUnit: 'call', maxUnitPrice: '5', effectiveFrom: M.start },
      actor: bureau,
    })
    expect(!noProduct.ok && noProduct.error.code).toBe('product_not_found')

    expect((await ceiling('call', '5', M.start)).ok).toBe(true)
    expect((await ceiling('call', '3', day(M, 15))).ok).toBe(true)
    const listed = (await listPriceCeilings(t.db, { at: day(M, 10) })).filter((c) => c.productId === productId)
    expect(listed.map((c) => [c.maxUnitPrice, c.status])).toEqual([
      ['3', 'scheduled'],
      ['5', 'in_force'],
    ])
    const later = (await listPriceCeilings(t.db, { at: day(M, 20) })).filter((c) => c.productId === productId)
    expect(later.map((c) => [c.maxUnitPrice, c.status])).toEqual([
      ['3', 'in_force'],
      ['5', 'superseded'],
    ])
    // Never edited, never deleted: the database refuses it, whoever asks.
    expect(await refusal(t.db.run(sql`UPDATE price_ceilings SET max_unit_price = '50'`))).toContain('billing_immutable')
    expect(await refusal(t.db.run(sql`DELETE FROM price_ceilings`))).toContain('billing_immutable')
  })

  it('refuses a proposal with no ceiling, or above it (a package per unit of a full block), and accepts one at the ceiling', async () => {
    await ceiling('call', '5', M.start)
    const before = await propose(day(M, 1) - 86_400_000, [standard('1')])
    expect(!before.ok && before.error.code).toBe('no_ceiling')
    const noRecordCeiling = await propose(M.start, [standard('1'), standard('0.1', 'record')])
    expect(!noRecordCeiling.ok && noRecordCeiling.error).toMatchObject({
      code: 'no_ceiling',
      fields: { 'charges.1': 'no_ceiling' },
    })

    const above = await propose(M.start, [standard('5.01')])
    expect(!above.ok && above.error).toMatchObject({
      code: 'price_above_ceiling',
      fields: { 'charges.0': 'price_above_ceiling', 'charges.0.ceiling': '5' },
    })
    expect(!above.ok && above.error.message).toContain('5.01 fen per unit is above the ceiling of 5 fen per unit')
    const tier = await propose(M.start, [
      {
        chargeUnit: 'call',
        model: 'graduated',
        properties: {
          tiers: [
            { upTo: 100, unitPrice: '6' },
            { upTo: null, unitPrice: '1' },
          ],
        },
      },
    ])
    expect(!tier.ok && tier.error.code).toBe('price_above_ceiling')
    const block = (packagePrice: string) =>
      propose(M.start, [{ chargeUnit: 'call', model: 'package', properties: { packageSize: 100, packagePrice } }])
    expect((await block('501')).ok).toBe(false) // 5.01 per call
    expect((await block('500')).ok).toBe(true) // exactly the ceiling

    const atCeiling = await propose(M.start, [standard('5')])
    expect(atCeiling.ok && atCeiling.value.version).toBe(2)
    const wrongModel = await propose(M.start, [
      { chargeUnit: 'service_month', model: 'standard', properties: { unitPrice: '1' } },
    ])
    expect(!wrongModel.ok && wrongModel.error.fields).toEqual({ 'charges.0.model': 'model_not_allowed_for_unit' })
  })

  it('puts an approved book in force from max(effective date, approval); pending and returned ones never rate', async () => {
    await ceiling('call', '5', M.start)
    const pending = await propose(M.start, [standard('4')])
    if (!pending.ok) throw new Error(pending.error.code)
    expect(await findPriceInForce(t.db, { productId, at: day(M, 2) })).toBeNull()

    const noComment = await decidePriceBook(t.db, { priceBookId: pending.value.id, decision: 'return', actor: bureau })
    expect(!noComment.ok && noComment.error.fields).toEqual({ comment: 'required' })
    expect(
      (
        await decidePriceBook(t.db, {
          priceBookId: pending.value.id,
          decision: 'return',
          comment: '请补充成本依据',
          actor: bureau,
        })
      ).ok,
    ).toBe(true)
    const twice = await approve(pending.value.id)
    expect(!twice.ok && twice.error.code).toBe('price_book_already_decided')
    expect(await findPriceInForce(t.db, { productId, at: day(M, 2) })).toBeNull()

    // Approved only on the 5th: not in force on the 4th although effective from the 1st.
    const late = await propose(M.start, [standard('3')])
    if (!late.ok) throw new Error(late.error.code)
    const approved = await approve(late.value.id, day(M, 5))
    expect(approved.ok && approved.value.inForceFrom).toBe(day(M, 5))
    expect(await findPriceInForce(t.db, { productId, at: day(M, 5) - 1 })).toBeNull()
    expect(await findPriceInForce(t.db, { productId, at: day(M, 5) })).toMatchObject({
      version: 2,
      charges: [{ chargeUnit: 'call', ceiling: '5' }],
    })
    // A decided book is never edited.
    expect(await refusal(t.db.run(sql`UPDATE price_books SET effective_from = 0`))).toContain('billing_immutable')
    expect(await refusal(t.db.run(sql`DELETE FROM price_book_charges`))).toContain('billing_immutable')
  })

  it('re-checks the ceiling at approval: a ceiling lowered after the proposal refuses it', async () => {
    await ceiling('call', '5', M.start)
    const proposal = await propose(day(M, 20), [standard('4')])
    if (!proposal.ok) throw new Error(proposal.error.code)
    await ceiling('call', '3', day(M, 18))
    const refused = await approve(proposal.value.id)
    expect(!refused.ok && refused.error).toMatchObject({ code: 'price_above_ceiling', fields: { 'charges.0.ceiling': '3' } })
  })

  it('never charges above the ceiling in force at the event: a lowered ceiling caps an approved price', async () => {
    await ceiling('call', '5', M.start)
    const book = await propose(M.start, [standard('4')])
    if (!book.ok) throw new Error(book.error.code)
    await approve(book.value.id)
    // Below the approved 4 fen: the bureau confirms (ADR 0048); the price is flagged and capped meanwhile.
    const lowered = await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'call', maxUnitPrice: '3', effectiveFrom: day(M, 16), confirmBelowApproved: true },
      actor: bureau,
    })
    expect(lowered.ok).toBe(true)
    const partner = await addPartner(t.db, { productId, code: 'cap-test', purpose: 'industrial', subscribedAt: Date.now() })
    await insertEvents(
      t.db,
      partner,
      Array.from({ length: 10 }, (_, i) => day(M, 5) + i),
    )
    await insertEvents(
      t.db,
      partner,
      Array.from({ length: 10 }, (_, i) => day(M, 20) + i),
    )
    const closed = await closeBillingPeriod(t.db, { period: M.period, actor: operator, now: M.end + 1 })
    if (!closed.ok) throw new Error(closed.error.code)
    const invoice = closed.value.invoices.find((i) => i.partner.id === partner.partnerId)!
    // 10 × 4 = 40 before the 16th; 10 × min(4, 3) = 30 after.
    expect(invoice.lines.map((l) => [l.units, l.unitPrice, l.amountFen, l.cappedAtCeiling])).toEqual([
      ['10', '4', 40, false],
      ['10', '3', 30, true],
    ])
    expect(invoice).toMatchObject({ subtotalFen: 70, vatFen: 4, totalFen: 74 })
  })

  it('rates usage with no approved price at 0 and lists it as unpriced', async () => {
    await ceiling('call', '5', M.start)
    const partner = await addPartner(t.db, { productId, code: 'unpriced-test', purpose: 'industrial', subscribedAt: Date.now() })
    await insertEvents(t.db, partner, [day(M, 3), day(M, 4), day(M, 5)])
    const pending = await propose(M.start, [standard('4')])
    expect(pending.ok).toBe(true)
    const closed = await closeBillingPeriod(t.db, { period: M.period, actor: operator, now: M.end + 1 })
    if (!closed.ok) throw new Error(closed.error.code)
    const invoice = closed.value.invoices.find((i) => i.partner.id === partner.partnerId)!
    expect(invoice.lines).toEqual([
      expect.objectContaining({ unpriced: true, charge: 'call', units: '3', amountFen: 0, waivedFen: 0, priceBookVersion: null }),
    ])
    expect(invoice.totalFen).toBe(0)
    expect(closed.value.unpricedEvents).toBeGreaterThanOrEqual(3)
  })

  it('discloses each product’s ceiling, price in force and the version to come (收费公示)', async () => {
    await ceiling('call', '5', Date.now())
    const now = await propose(Date.now(), [standard('2.5')])
    if (!now.ok) throw new Error(now.error.code)
    await approve(now.value.id)
    const next = await propose(M.start, [
      {
        chargeUnit: 'call',
        model: 'graduated',
        properties: {
          tiers: [
            { upTo: 1000, unitPrice: '3' },
            { upTo: null, unitPrice: '2' },
          ],
        },
      },
    ])
    if (!next.ok) throw new Error(next.error.code)
    await approve(next.value.id)
    const [mine] = (await listPricesInForce(t.db, { at: Date.now() + 1000, publishedOnly: true })).filter(
      (p) => p.productId === productId,
    )
    expect(mine).toMatchObject({
      priceBook: { version: 1, isTrial: false },
      charges: [
        {
          chargeUnit: 'call',
          ceiling: { maxUnitPrice: '5' },
          price: { model: 'standard', properties: { unitPrice: '2.5' } },
          maxUnitPrice: '2.5',
        },
      ],
      upcoming: [{ version: 2, inForceFrom: M.start }],
    })
  })
})
