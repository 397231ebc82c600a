import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { partners, products, usageEvents, users } from '#db/schema/index.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { getMarketConcentration } from '#supervision/concentration/get-market-concentration.ts'
import { setConcentrationThreshold } from '#supervision/concentration/set-concentration-threshold.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Art. 12(5): a constructed month (2020-03, before any seeded usage) with answered calls split 50/30/20 among three
// partners on one product, plus refused calls that must not count.
describe('market concentration (Art. 12(5), ADR 0033)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function construct() {
    const ps = await t.db.select({ id: partners.id, code: partners.code }).from(partners).orderBy(partners.code).limit(3)
    const [product] = await t.db.select({ id: products.id, code: products.code }).from(products).limit(1)
    const at = fromLocal(2020, 3, 15, 10)
    const rows = [
      { partner: ps[0]!, calls: 50, status: 200 },
      { partner: ps[1]!, calls: 30, status: 200 },
      { partner: ps[2]!, calls: 20, status: 200 },
      // Refused calls count for nothing.
      { partner: ps[2]!, calls: 500, status: 429 },
    ]
    let n = 0
    for (const r of rows)
      await t.db.insert(usageEvents).values({
        id: `hhi-${n++}`,
        at,
        requestId: `req_hhi_${n}`,
        apiKeyId: 'k',
        subscriptionId: 's',
        partnerId: r.partner.id,
        productId: product!.id,
        purpose: 'industrial',
        operation: 'test',
        status: r.status,
        calls: r.calls,
      })
    return { ps, product: product! }
  }

  it('computes the HHI exactly (50/30/20 → 3,800), per product and overall, and flags it above the default 2,500', async () => {
    const { ps, product } = await construct()
    const result = await getMarketConcentration(t.db, { month: '2020-03', months: 2 })
    expect(result.threshold).toBe(2500)
    expect(result.months).toEqual(['2020-02', '2020-03'])
    const overall = result.markets.find((m) => m.month === '2020-03' && m.product === null)!
    const ofProduct = result.markets.find((m) => m.month === '2020-03' && m.product?.code === product.code)!
    for (const m of [overall, ofProduct]) {
      expect(m).toMatchObject({ calls: 100, callsHhi: 3800, revenueHhi: null, isFlagged: true })
      expect(m.shares.map((s) => [s.partner.code, s.callSharePercent])).toEqual([
        [ps[0]!.code, 50],
        [ps[1]!.code, 30],
        [ps[2]!.code, 20],
      ])
    }
    expect(result.markets.find((m) => m.month === '2020-02')).toMatchObject({ calls: 0, callsHhi: null, isFlagged: false })
  })

  it('the bureau sets the threshold (audited, 1–10,000); above it nothing is flagged', async () => {
    await construct()
    const bureau = userActor((await t.db.select().from(users).where(eq(users.username, 'bureau')))[0]!)
    const operator = userActor((await t.db.select().from(users).where(eq(users.username, 'operator')))[0]!)
    expect(await setConcentrationThreshold(t.db, { actor: operator, threshold: 4000 })).toMatchObject({
      error: { kind: 'forbidden' },
    })
    for (const bad of [0, 10_001, 2500.5, 'abc', null])
      expect(await setConcentrationThreshold(t.db, { actor: bureau, threshold: bad })).toMatchObject({
        error: { kind: 'validation', fields: { threshold: 'invalid' } },
      })
    expect(await setConcentrationThreshold(t.db, { actor: bureau, threshold: '4000' })).toEqual({
      ok: true,
      value: { threshold: 4000 },
    })
    const audit = await t.client.execute("SELECT detail FROM audit_log WHERE action = 'concentration_threshold.set'")
    expect(audit.rows.map((r) => JSON.parse(String(r.detail)))).toEqual([{ from: 2500, to: 4000 }])
    const result = await getMarketConcentration(t.db, { month: '2020-03', months: 1 })
    expect(result.threshold).toBe(4000)
    expect(result.markets.every((m) => !m.isFlagged)).toBe(true)
    // Exactly at the threshold is not above it.
    await setConcentrationThreshold(t.db, { actor: bureau, threshold: 3800 })
    expect((await getMarketConcentration(t.db, { month: '2020-03', months: 1 })).markets[0]!.isFlagged).toBe(false)
  })
})
