import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Actor } from '#platform/audit/record-audit.ts'
import { auditLog, priceCeilings } from '#db/schema/index.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { listPricesInForce } from '#billing/price-books/list-prices-in-force.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { addProduct } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Issue 16 / ADR 0048: a ceiling set below an approved price is never silent.
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const M = nextPeriod(nextPeriod(periodOf(Date.now())))
const LATER = nextPeriod(nextPeriod(M)).start
/** Before the approved price starts: it still counts (it comes into force under the new ceiling). */
const SOONER = nextPeriod(periodOf(Date.now())).start

describe('a ceiling below an approved price', () => {
  let t: TestDatabase
  let productId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    productId = await addProduct(t.db, 'ceiling-below-test')
    // Ceiling 5 fen per call, an approved price of 4 fen per call from M.
    expect((await setPriceCeiling(t.db, { input: ceilingInput('5', M.start), actor: bureau })).ok).toBe(true)
    const proposed = await proposePriceBook(t.db, {
      input: {
        productId,
        effectiveFrom: M.start,
        charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '4' } }],
      },
      actor: operator,
    })
    if (!proposed.ok) throw new Error(proposed.error.message)
    expect((await decidePriceBook(t.db, { priceBookId: proposed.value.id, decision: 'approve', actor: bureau })).ok).toBe(true)
  })
  afterEach(() => t.destroy())

  const ceilingInput = (maxUnitPrice: string, effectiveFrom: number, confirmBelowApproved?: boolean) => ({
    productId,
    chargeUnit: 'call',
    maxUnitPrice,
    effectiveFrom,
    basis: '测试',
    confirmBelowApproved,
  })
  const ceilingsOf = () => t.db.select().from(priceCeilings).where(eq(priceCeilings.productId, productId))

  it('is refused until confirmed, naming the affected price; nothing is recorded meanwhile', async () => {
    const refused = await setPriceCeiling(t.db, { input: ceilingInput('3', LATER), actor: bureau })
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error).toMatchObject({ kind: 'conflict', code: 'ceiling_below_approved_price' })
    expect(refused.error.fields).toEqual({ maxUnitPrice: 'below_approved_price' })
    expect(refused.affected).toEqual([
      expect.objectContaining({ productCode: 'ceiling-below-test', chargeUnit: 'call', maxUnitPrice: '4' }),
    ])
    expect(await ceilingsOf()).toHaveLength(1)
  })

  it('at or above the approved price goes through without a question', async () => {
    const same = await setPriceCeiling(t.db, { input: ceilingInput('4', LATER), actor: bureau })
    expect(same.ok && same.value.affected).toEqual([])
  })

  it('once confirmed, is recorded with the affected prices in its audit entry, and the price is flagged for re-approval; /fees data shows the coming ceiling', async () => {
    const set = await setPriceCeiling(t.db, { input: ceilingInput('3', LATER, true), actor: bureau })
    expect(set.ok && set.value.affected.map((a) => a.maxUnitPrice)).toEqual(['4'])
    if (!set.ok) return
    const [entry] = await t.db
      .select({ detail: auditLog.detail })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'price_ceiling.set'), eq(auditLog.objectId, set.value.id)))
    expect(JSON.parse(String(entry!.detail)).belowApprovedPrices).toEqual([expect.objectContaining({ maxUnitPrice: '4' })])

    const [before] = (await listPricesInForce(t.db, { at: M.start + 86_400_000 })).filter((p) => p.productId === productId)
    expect(before!.charges[0]!.reapproval).toEqual({ ceiling: '3', effectiveFrom: LATER })
    expect(before!.upcomingCeilings).toEqual([{ chargeUnit: 'call', maxUnitPrice: '3', effectiveFrom: LATER }])
    // After the new ceiling's date it is in force, no longer coming; the price still waits for re-approval.
    const [after] = (await listPricesInForce(t.db, { at: LATER + 86_400_000 })).filter((p) => p.productId === productId)
    expect(after!.upcomingCeilings).toEqual([])
    expect(after!.charges[0]!.reapproval).toEqual({ ceiling: '3', effectiveFrom: LATER })
  })

  it('counts an approved price that only starts later, and two bureaus racing both see the question', async () => {
    const [a, b] = await Promise.all([
      setPriceCeiling(t.db, { input: ceilingInput('2', SOONER), actor: bureau }),
      setPriceCeiling(t.db, { input: ceilingInput('2.5', SOONER), actor: bureau }),
    ])
    expect([a.ok, b.ok]).toEqual([false, false])
    expect(await ceilingsOf()).toHaveLength(1)
  })
})
