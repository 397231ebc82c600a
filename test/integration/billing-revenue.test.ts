import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { datasets, invoices, productDatasets, sourceUnits } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { finalizeInvoice } from '#billing/invoices/finalize-invoice.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { getRevenueDashboard } from '#billing/revenue/get-revenue-dashboard.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { addPartner, addProduct, insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const M = nextPeriod(nextPeriod(periodOf(Date.now())))

describe('revenue dashboard', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it('closed months from invoices: charged, paid, waived by month, product, partner, source unit and purpose', async () => {
    const productId = await addProduct(t.db, 'revenue-test')
    // Built on two datasets of two source units: its revenue splits equally between them.
    const units = [
      { id: randomUUID(), code: 'rev-unit-a' },
      { id: randomUUID(), code: 'rev-unit-b' },
    ]
    for (const u of units) {
      const datasetId = randomUUID()
      await t.db.insert(sourceUnits).values({ ...u, nameZh: u.code, nameEn: u.code })
      await t.db.insert(datasets).values({
        id: datasetId,
        code: `DS-${u.code}`,
        sourceUnitId: u.id,
        nameZh: u.code,
        nameEn: u.code,
        domain: 'market',
        level: 'L1',
        deliveryMode: 'table',
      })
      await t.db.insert(productDatasets).values({ productId, datasetId })
    }
    expect(
      (
        await setPriceCeiling(t.db, {
          input: { productId, chargeUnit: 'call', maxUnitPrice: '5', effectiveFrom: M.start },
          actor: bureau,
        })
      ).ok,
    ).toBe(true)
    const book = await proposePriceBook(t.db, {
      input: {
        productId,
        effectiveFrom: M.start,
        charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '3' } }],
      },
      actor: operator,
    })
    if (!book.ok) throw new Error(book.error.code)
    expect((await decidePriceBook(t.db, { priceBookId: book.value.id, decision: 'approve', actor: bureau })).ok).toBe(true)
    const industrial = await addPartner(t.db, { productId, code: 'rev-ind', purpose: 'industrial', subscribedAt: Date.now() })
    const pi = await addPartner(t.db, { productId, code: 'rev-pi', purpose: 'public_interest', subscribedAt: Date.now() })
    await insertEvents(
      t.db,
      industrial,
      Array.from({ length: 101 }, (_, i) => M.start + 1000 * (i + 1)),
    )
    await insertEvents(
      t.db,
      pi,
      Array.from({ length: 10 }, (_, i) => M.start + 1000 * (i + 1)),
    )
    const closed = await closeBillingPeriod(t.db, { period: M.period, actor: operator, now: M.end + 1 })
    if (!closed.ok) throw new Error(closed.error.code)
    const [inv] = await t.db.select({ id: invoices.id }).from(invoices).where(eq(invoices.partnerId, industrial.partnerId))
    expect((await finalizeInvoice(t.db, { invoiceId: inv!.id, actor: operator })).ok).toBe(true)
    expect((await markInvoicePaid(t.db, { invoiceId: inv!.id, paidAt: M.end + 2, actor: operator })).ok).toBe(true)

    const d = await getRevenueDashboard(t.db, { now: M.end + 10, months: 3 })
    // 101 × 3 = 303 fen charged and paid; 10 × 3 = 30 fen waived.
    const month = d.months.find((m) => m.period === M.period)!
    // (Seeded subscriptions add their monthly fees to the month: only ours is paid.)
    expect(month).toMatchObject({ source: 'closed', paidFen: 303, events: 111 })
    // Labels say what the closes say (issue 16): the month before, never closed, is not "billed"; the month after,
    // current, is an estimate.
    expect(d.months.map((m) => m.source)).toEqual(['unclosed', 'closed', 'open'])
    expect(month.chargedFen).toBeGreaterThanOrEqual(303)
    expect(d.byProduct.find((r) => r.key === 'revenue-test')).toMatchObject({ chargedFen: 303, waivedFen: 30 })
    expect(d.byPartner.find((r) => r.key === 'rev-ind')).toMatchObject({ chargedFen: 303, paidFen: 303 })
    expect(d.byPurpose.find((r) => r.key === 'public_interest')).toMatchObject({ chargedFen: 0, waivedFen: 30 })
    // 303 split in two: 152 + 151.
    const shares = units.map((u) => d.bySourceUnit.find((r) => r.key === u.code)!.chargedFen).sort()
    expect(shares).toEqual([151, 152])
  })
})
