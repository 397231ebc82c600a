import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { count, eq } from 'drizzle-orm'
import { runCli } from '#cli/platform.ts'
import {
  auditLog,
  costEntries,
  invoices,
  priceBooks,
  priceCeilings,
  products,
  subscriptions,
  usageEvents,
  vatRates,
} from '#db/schema/index.ts'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('billing seed and CLI', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  const n = async (table: typeof priceCeilings | typeof priceBooks | typeof costEntries | typeof vatRates | typeof auditLog) =>
    (await t.db.select({ n: count() }).from(table))[0]!.n

  it('seeds ceilings for every product, approved books in force, one pending proposal, costs and VAT; a second run adds nothing', async () => {
    await seedBillingDemo(t.db)
    const productCount = (await t.db.select({ n: count() }).from(products))[0]!.n
    const seeded = {
      ceilings: await n(priceCeilings),
      books: await n(priceBooks),
      costs: await n(costEntries),
      vat: await n(vatRates),
      audit: await n(auditLog),
    }
    expect(seeded.vat).toBe(1)
    expect(seeded.costs).toBe(3 * 6)
    const withCeiling = new Set((await t.db.select({ p: priceCeilings.productId }).from(priceCeilings)).map((r) => r.p))
    expect(withCeiling.size).toBe(productCount)
    const states = await t.db.select({ state: priceBooks.state }).from(priceBooks)
    expect(states.filter((s) => s.state === 'approved')).toHaveLength(productCount)
    expect(states.filter((s) => s.state === 'pending_review')).toHaveLength(1)

    await seedBillingDemo(t.db)
    expect({
      ceilings: await n(priceCeilings),
      books: await n(priceBooks),
      costs: await n(costEntries),
      vat: await n(vatRates),
      audit: await n(auditLog),
    }).toEqual(seeded)
  })

  it('prices:list --json shows each product’s ceiling and the price in force', async () => {
    await seedBillingDemo(t.db)
    const listed = await run('prices:list', '--json')
    expect(listed.code).toBe(0)
    const main = JSON.parse(listed.out).find((p: { productCode: string }) => p.productCode === 'verify-enterprise-identity')
    expect(main.priceBook).toMatchObject({ version: 1, isTrial: false })
    expect(main.charges).toEqual([
      expect.objectContaining({
        chargeUnit: 'call',
        ceiling: expect.objectContaining({ maxUnitPrice: '5' }),
        price: { model: 'standard', properties: { unitPrice: '2.5' } },
      }),
    ])
    expect((await run('prices:list', '--at', 'tomorrow')).code).toBe(2)
  })

  it('billing:preview stores nothing; billing:close --json prints the invoices in fen and twice changes nothing', async () => {
    await seedBillingDemo(t.db)
    const [sub] = await t.db
      .select({
        id: subscriptions.id,
        partnerId: subscriptions.partnerId,
        productId: subscriptions.productId,
        purpose: subscriptions.purpose,
      })
      .from(subscriptions)
      .innerJoin(products, eq(products.id, subscriptions.productId))
      .where(eq(products.code, 'verify-enterprise-identity'))
    // 7 calls last month (the demo book, 2.5 fen per call, is in force from its first day).
    const last = previousPeriod(periodOf(Date.now()))
    await t.db.insert(usageEvents).values(
      Array.from({ length: 7 }, (_, i) => ({
        id: randomUUID(),
        at: last.start + 86_400_000 * (i + 1),
        requestId: `req_${i}`,
        apiKeyId: 'k',
        subscriptionId: sub!.id,
        partnerId: sub!.partnerId,
        productId: sub!.productId,
        purpose: sub!.purpose,
        operation: 'verifyEnterprise',
        status: 200,
      })),
    )
    const preview = await run('billing:preview', '--period', last.period, '--json')
    expect(preview.code).toBe(0)
    const previewed = JSON.parse(preview.out)
    expect((await t.db.select({ n: count() }).from(invoices))[0]!.n).toBe(0)

    const closed = await run('billing:close', '--period', last.period, '--json')
    expect(closed.code).toBe(0)
    expect(closed.err).toBe('')
    const out = JSON.parse(closed.out)
    const mine = out.invoices.find((i: { partner: { code: string } }) => i.partner.code === 'shengjing-tech')
    // 7 × 2.5 = 17.5 → 18 fen; VAT 18 × 6% = 1.08 → 1; total 19.
    expect(mine.lines).toEqual([
      expect.objectContaining({
        product: 'verify-enterprise-identity',
        charge: 'call',
        units: '7',
        unitPrice: '2.5',
        amountFen: 18,
        purpose: 'industrial',
        waivedFen: 0,
      }),
    ])
    expect(mine).toMatchObject({ subtotalFen: 18, vatFen: 1, totalFen: 19, waivedFen: 0, state: 'draft' })
    expect(previewed.invoices.map((i: { totalFen: number }) => i.totalFen)).toEqual(
      out.invoices.map((i: { totalFen: number }) => i.totalFen),
    )

    const again = await run('billing:close', '--period', last.period)
    expect(again.code).toBe(0)
    expect(again.out).toContain('already closed')
    expect((await run('billing:preview', '--period', last.period)).err).toContain('period_closed')
  })

  it('refuses bad periods and periods out of order, with a progress bar on stderr', async () => {
    expect((await run('billing:close')).code).toBe(2)
    expect((await run('billing:close', '--period', '2026-13')).err).toContain('invalid_period')
    const thisMonth = periodOf(Date.now()).period
    expect((await run('billing:close', '--period', thisMonth)).err).toContain('period_not_ended')
    const last = previousPeriod(periodOf(Date.now()))
    const before = previousPeriod(previousPeriod(last))
    const first = await run('billing:close', '--period', before.period)
    expect(first.code).toBe(0)
    expect(first.err).toMatch(/\[#+\] 100%/)
    const skipped = await run('billing:close', '--period', last.period)
    expect(skipped.code).toBe(1)
    expect(skipped.err).toContain('previous_period_open')
  })
})
