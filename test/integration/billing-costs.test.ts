import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { recordCostEntry, type CostEntryInput } from '#billing/costs/record-cost-entry.ts'
import { listCostEntries } from '#billing/costs/list-cost-entries.ts'
import { deriveUnitCosts } from '#billing/costs/derive-unit-costs.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { listPriceBooks } from '#billing/price-books/list-price-books.ts'
import { nextPeriod, periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { addPartner, addProduct, insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
// Five months back: clear of the demo costs a seeded base database holds for the last three.
let last = periodOf(Date.now())
for (let i = 0; i < 5; i++) last = previousPeriod(last)
/** An instant in the month after it: its cost basis (the three months before) includes `last`. */
const proposedAt = nextPeriod(last).start + 86_400_000

describe('cost entries and unit costs (Art. 22)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const record = (input: Partial<CostEntryInput>) =>
    recordCostEntry(t.db, {
      input: { period: last.period, category: 'compute', grossFen: 100_000, subsidyFen: 0, ...input },
      actor: operator,
    })

  it('refuses a subsidy above the cost, a future period, an unknown category, a fractional amount', async () => {
    const above = await record({ grossFen: 100, subsidyFen: 101 })
    expect(!above.ok && above.error.fields).toEqual({ subsidyFen: 'subsidy_exceeds_cost' })
    const future = await record({ period: '2999-01' })
    expect(!future.ok && future.error.fields).toEqual({ period: 'future_period' })
    const category = await record({ category: 'marketing' })
    expect(!category.ok && category.error.fields).toEqual({ category: 'unknown_category' })
    const fraction = await record({ grossFen: 10.5 })
    expect(!fraction.ok && fraction.error.fields).toEqual({ grossFen: 'invalid_amount' })
  })

  it('keeps corrections as versions: the latest entry of a period and category counts', async () => {
    expect((await record({ grossFen: 120_000, subsidyFen: 20_000 })).ok).toBe(true)
    const corrected = await record({ grossFen: 110_000, subsidyFen: 20_000, note: '更正' })
    expect(corrected.ok && corrected.value.netFen).toBe(90_000)
    const entries = (await listCostEntries(t.db)).filter((e) => e.period === last.period && e.category === 'compute')
    expect(entries.map((e) => [e.netFen, e.current])).toEqual([
      [90_000, true],
      [100_000, false],
    ])
    expect((await deriveUnitCosts(t.db, { periods: [last.period] })).costs.compute).toBe(90_000)
    const refused = await t.db.run(sql`UPDATE cost_entries SET net_fen = 1`).then(
      () => '',
      (e: unknown) => errorText(e),
    )
    expect(refused).toContain('billing_immutable')
  })

  it('derives unit costs from net costs and the metered volumes, and snapshots them as a proposal’s cost basis', async () => {
    const productId = await addProduct(t.db, 'cost-test', 'report')
    const partner = await addPartner(t.db, {
      productId,
      code: 'cost-partner',
      purpose: 'public_interest',
      subscribedAt: last.start,
    })
    // 3,000 calls last month (free use is metered and costs the same to serve), 2 masked fields and 1,000 bytes each.
    await insertEvents(
      t.db,
      partner,
      Array.from({ length: 3000 }, (_, i) => last.start + i * 1000),
      { records: 1, fieldsMasked: 2, exportBytes: 1000 },
    )
    for (const [category, grossFen, subsidyFen] of [
      ['compute', 120_000, 20_000],
      ['storage', 20_000, 0],
      ['bandwidth', 30_000, 0],
      ['desensitization', 9_000, 0],
      ['result_export', 6_000, 0],
    ] as const) {
      expect((await record({ category, grossFen, subsidyFen })).ok).toBe(true)
    }
    const basis = await deriveUnitCosts(t.db, { periods: [last.period] })
    // Infrastructure (100,000 + 20,000 + 30,000) over 3,000 calls: 50 fen per call, and per record.
    // Desensitization 9,000 over 6,000 masked fields: 1.5. Export 6,000 over 3 MB: 2,000 fen per MB. No release: none.
    expect(basis.unitCosts).toEqual({ call: '50', record: '50', masked_field: '1.5', mb_exported: '2000', model_release: null })
    expect(basis.volumes).toMatchObject({ calls: 3000, fieldsMasked: 6000, exportBytes: 3_000_000 })

    await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'mb_exported', maxUnitPrice: '3000', effectiveFrom: proposedAt },
      // Ceilings are the bureau's (permissions.ts): the operator's own would be refused.
      actor: { id: null, label: 'bureau-test', role: 'bureau' },
      now: proposedAt,
    })
    const proposal = await proposePriceBook(t.db, {
      input: {
        productId,
        effectiveFrom: proposedAt,
        charges: [{ chargeUnit: 'mb_exported', model: 'standard', properties: { unitPrice: '2500' } }],
      },
      actor: operator,
      now: proposedAt,
    })
    expect(proposal.ok).toBe(true)
    const [book] = await listPriceBooks(t.db, { productId })
    expect(book!.costBasis!.periods).toContain(last.period)
    expect(book!.costBasis!.unitCosts.mb_exported).toBe('2000')
    expect(book!.charges[0]).toMatchObject({ chargeUnit: 'mb_exported', ceiling: '3000', aboveCeiling: false })
  })
})
