import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { billingCloses, invoices, notifications, partners, revenueCapAlerts, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { recordCostEntry, type CostEntryInput } from '#billing/costs/record-cost-entry.ts'
import { recordCostEntryFromForm } from '#billing/costs/record-cost-entry-from-form.ts'
import { setRevenueCapSetting } from '#billing/revenue/set-revenue-cap-setting.ts'
import { getRevenueCap } from '#billing/revenue/get-revenue-cap.ts'
import { watchRevenueCap } from '#billing/revenue/watch-revenue-cap.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { fromLocal, parseMonth } from '#platform/calendar/shanghai-calendar.ts'
import { addPartner, addProduct, insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const system: Actor = { id: null, label: 'job-test', role: 'system' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const Y = 2031
/** Inside Y + 1: the watch looks at this year and the last. */
const NOW = fromLocal(Y + 1, 12, 15)

describe('maximum allowed revenue as 65号 counts it (ADR 0036)', () => {
  let t: TestDatabase
  let partnerId: string
  let seq = 0

  beforeEach(async () => {
    t = await createTestDatabase()
    partnerId = randomUUID()
    seq = 0
    await t.db.insert(partners).values({ id: partnerId, code: 'cap-partner', name: '上限测试', kind: 'legal_person' })
  })
  afterEach(() => t.destroy())

  /** A finalized invoice of `period` with `subtotalFen`, stored as a close would (fixture), paid unless said. */
  async function invoice(period: string, subtotalFen: number, opts: { paid?: boolean } = {}) {
    seq++
    const closeId = randomUUID()
    const id = randomUUID()
    await t.db.insert(billingCloses).values({
      id: closeId,
      period,
      periodStart: parseMonth(period)!.start,
      periodEnd: parseMonth(period)!.start + 1,
      watermark: 0,
      eventsRated: 0,
      lateEvents: 0,
      unpricedEvents: 0,
      invoiceCount: 1,
      closedByLabel: 'test',
      closedAt: NOW,
    })
    await t.db.insert(invoices).values({
      id,
      partnerId,
      closeId,
      period,
      state: 'finalized',
      numberYear: 9000 + seq,
      numberSeq: seq,
      number: `TEST-${seq}`,
      vatRate: '0.06',
      subtotalFen,
      vatFen: Math.round(subtotalFen * 0.06),
      totalFen: subtotalFen + Math.round(subtotalFen * 0.06),
      waivedFen: 0,
    })
    // Paid without `now`: the watch after payment looks at the real year, not Y (the tests drive the watch themselves).
    if (opts.paid !== false) expect((await markInvoicePaid(t.db, { invoiceId: id, paidAt: NOW, actor: operator })).ok).toBe(true)
    return id
  }

  const cost = async (input: Partial<CostEntryInput> & { period: string; category: string; grossFen: number }) => {
    const r = await recordCostEntry(t.db, { input: { subsidyFen: 0, ...input }, actor: operator, now: NOW })
    if (!r.ok) throw new Error(JSON.stringify(r.error))
  }

  /** Y: 300 industrial calls and 100 public-interest calls (industrial share 0.75); Y + 1: 100 industrial only. */
  async function calls() {
    const productId = await addProduct(t.db, 'cap-product', 'service')
    const industrial = await addPartner(t.db, {
      productId,
      code: 'cap-ind',
      purpose: 'industrial',
      subscribedAt: fromLocal(Y, 1),
    })
    const publicUse = await addPartner(t.db, {
      productId,
      code: 'cap-pub',
      purpose: 'public_interest',
      subscribedAt: fromLocal(Y, 1),
    })
    await insertEvents(
      t.db,
      industrial,
      Array.from({ length: 300 }, (_, i) => fromLocal(Y, 3) + i * 1000),
    )
    await insertEvents(
      t.db,
      publicUse,
      Array.from({ length: 100 }, (_, i) => fromLocal(Y, 4) + i * 1000),
    )
    await insertEvents(
      t.db,
      industrial,
      Array.from({ length: 100 }, (_, i) => fromLocal(Y + 1, 2) + i * 1000),
    )
  }

  async function scenario() {
    await calls()
    // Shared compute 900,000 then corrected to 1,000,000 (the latest of period, category and supply counts).
    await cost({ period: `${Y}-01`, category: 'compute', supply: 'shared', grossFen: 900_000 })
    await cost({ period: `${Y}-01`, category: 'compute', supply: 'shared', grossFen: 1_000_000 })
    // Staff for industrial supply only, net of a 50,000 subsidy: counts whole.
    await cost({ period: `${Y}-02`, category: 'staff', supply: 'industrial', grossFen: 250_000, subsidyFen: 50_000 })
    // O&M of the free public-interest service: shown, never counted.
    await cost({ period: `${Y}-02`, category: 'operations_maintenance', supply: 'public_interest', grossFen: 300_000 })
    // Platform construction 2,400,000 shared, amortized over 2 years from Y-07: 100,000 a month.
    await cost({
      period: `${Y}-07`,
      category: 'platform_construction',
      supply: 'shared',
      grossFen: 2_400_000,
      amortizationYears: 2,
    })
    for (const [year, profitRate, taxRate] of [
      [Y, '0.1', '0.05'],
      [Y + 1, '0.08', '0'],
    ] as const)
      expect((await setRevenueCapSetting(t.db, { input: { year, profitRate, taxRate }, actor: bureau })).ok).toBe(true)
  }

  it('counts industrial costs only, allocates shared costs by calls, amortizes platform construction, carries the excess', async () => {
    await scenario()
    await invoice(`${Y}-05`, 1_700_000)
    await invoice(`${Y}-09`, 10_000, { paid: false })
    await invoice(`${Y + 1}-03`, 1_000_000)

    const years = await getRevenueCap(t.db, { now: NOW, toYear: Y + 1 })
    const y = years.find((r) => r.year === Y)!
    const previous = years.find((r) => r.year === Y - 1)
    const carriedIn = previous?.excessFen ?? 0
    // The base database's demo years carry nothing this far.
    expect(carriedIn).toBe(0)
    // Hand-worked for Y: shared = 1,000,000 compute + 6 × 100,000 amortized = 1,600,000; × 0.75 = 1,200,000;
    // + industrial staff 200,000 = 1,400,000; profit 140,000; taxes 1,540,000 × 0.05 = 77,000; gross 1,617,000.
    expect(y).toMatchObject({
      industrialCalls: 300,
      publicInterestCalls: 100,
      industrialShare: '0.75',
      industrialCostFen: 200_000,
      sharedCostFen: 1_600_000,
      publicInterestCostFen: 300_000,
      amortizedFen: 600_000,
      allocatedSharedFen: 1_200_000,
      operatingCostFen: 1_400_000,
      allowedProfitFen: 140_000,
      taxesFen: 77_000,
      grossMaximumFen: 1_617_000,
      deductionFen: carriedIn,
      paidRevenueFen: 1_700_000,
      unpaidRevenueFen: 10_000,
    })
    expect(y.byCategory).toEqual({
      compute: 1_000_000,
      staff: 200_000,
      operations_maintenance: 300_000,
      platform_construction: 600_000,
    })
    expect(y.maximumFen).toBe(Math.max(0, 1_617_000 - carriedIn))
    expect(y.excessFen).toBe(1_700_000 - y.maximumFen)
    expect(y.reached).toBe(100)
    // Y + 1: only industrial calls (share 1): 12 × 100,000 amortized = 1,200,000; profit 96,000; gross 1,296,000;
    // less Y's excess carried in.
    const next = years.find((r) => r.year === Y + 1)!
    expect(next).toMatchObject({
      industrialShare: '1',
      amortizedFen: 1_200_000,
      operatingCostFen: 1_200_000,
      grossMaximumFen: 1_296_000,
      deductionFen: y.excessFen,
      maximumFen: 1_296_000 - y.excessFen,
      paidRevenueFen: 1_000_000,
    })
    // Excess 83,000; Y + 1's maximum 1,213,000 and 82.44% used.
    expect(y.excessFen).toBe(83_000)
    expect(next).toMatchObject({ maximumFen: 1_213_000, usedShare: '0.8244', reached: 80 })
  })

  it('tells the operator and the bureau once per crossing of 80% and 100%, and again after falling back below', async () => {
    await scenario()
    await invoice(`${Y}-05`, 1_700_000)
    await invoice(`${Y + 1}-03`, 1_000_000)
    const [operatorUsers, bureauUsers] = await Promise.all(
      (['operator', 'bureau'] as const).map((role) => t.db.select({ id: users.id }).from(users).where(eq(users.role, role))),
    )
    expect(operatorUsers!.length).toBeGreaterThan(0)
    expect(bureauUsers!.length).toBeGreaterThan(0)
    const told = async (kind: string) =>
      (
        await t.db
          .select({ n: sql<number>`count(*)` })
          .from(notifications)
          .where(
            and(
              eq(notifications.kind, kind),
              sql`json_extract(${notifications.params}, '$.year') IN (${String(Y)}, ${String(Y + 1)})`,
            ),
          )
      )[0]!.n
    const recipients = operatorUsers!.length + bureauUsers!.length

    const first = await watchRevenueCap(t.db, { actor: system, now: NOW })
    expect(first.crossed.sort()).toEqual([`${Y + 1}:80`, `${Y}:100`, `${Y}:80`].sort())
    expect(await told('revenue_cap_80')).toBe(2 * recipients)
    expect(await told('revenue_cap_100')).toBe(recipients)
    // Parallel and repeated runs tell nobody again.
    const again = await Promise.all([
      watchRevenueCap(t.db, { actor: system, now: NOW + 1 }),
      watchRevenueCap(t.db, { actor: system, now: NOW + 2 }),
    ])
    expect(again.flatMap((r) => r.crossed)).toEqual([])
    const told80 = await told('revenue_cap_80')

    // A correction raises Y + 1's costs (industrial staff 500,000): 1,000,000 paid is now below 80%: cleared.
    await cost({ period: `${Y + 1}-01`, category: 'staff', supply: 'industrial', grossFen: 500_000 })
    const cleared = await watchRevenueCap(t.db, { actor: system, now: NOW + 3 })
    expect(cleared.cleared).toEqual([`${Y + 1}:80`])
    // More is paid (1,500,000 of 1,753,000): 80% crossed again, told again (a second alert row for the year and threshold).
    await invoice(`${Y + 1}-04`, 500_000)
    const second = await watchRevenueCap(t.db, { actor: system, now: NOW + 4 })
    expect(second.crossed).toEqual([`${Y + 1}:80`])
    expect(await told('revenue_cap_80')).toBe(told80 + recipients)
    const alerts = await t.db
      .select()
      .from(revenueCapAlerts)
      .where(and(eq(revenueCapAlerts.year, Y + 1), eq(revenueCapAlerts.threshold, 80)))
    expect(alerts.map((a) => a.clearedAt === null).sort()).toEqual([false, true])
  })

  it('refuses a wrong role, platform construction without its years, years on anything else, hostile form input', async () => {
    const partner: Actor = { id: null, label: 'partner-test', role: 'partner_admin' }
    const base = { period: `${Y}-01`, category: 'staff', grossFen: 1, subsidyFen: 0 }
    const denied = await recordCostEntry(t.db, { input: base, actor: partner, now: NOW })
    expect(!denied.ok && denied.error.kind).toBe('forbidden')
    const deniedSetting = await setRevenueCapSetting(t.db, {
      input: { year: Y, profitRate: '0.1', taxRate: '0' },
      actor: operator,
    })
    expect(!deniedSetting.ok && deniedSetting.error.kind).toBe('forbidden')
    const r = (input: Partial<CostEntryInput>) =>
      recordCostEntry(t.db, { input: { ...base, ...input }, actor: operator, now: NOW })
    const missing = await r({ category: 'platform_construction' })
    expect(!missing.ok && missing.error.fields).toEqual({ amortizationYears: 'required' })
    const tooLong = await r({ category: 'platform_construction', amortizationYears: 21 })
    expect(!tooLong.ok && tooLong.error.fields).toEqual({ amortizationYears: 'invalid_years' })
    const notAmortized = await r({ amortizationYears: 3 })
    expect(!notAmortized.ok && notAmortized.error.fields).toEqual({ amortizationYears: 'not_amortized' })
    const supply = await r({ supply: 'charity' })
    expect(!supply.ok && supply.error.fields).toEqual({ supply: 'unknown_supply' })
    // The form: yuan with fen precision; hostile values name the form's own inputs.
    const form = (f: Record<string, unknown>) =>
      recordCostEntryFromForm(t.db, {
        form: { period: `${Y}-01`, category: 'platform_construction', gross: '1234.56', supply: 'shared', years: '5', ...f },
        actor: operator,
        now: NOW,
      })
    const good = await form({})
    expect(good.ok && good.value.netFen).toBe(123_456)
    for (const [f, field, code] of [
      [{ years: '1e9' }, 'years', 'invalid_years'],
      [{ years: '0' }, 'years', 'invalid_years'],
      [{ years: '' }, 'years', 'required'],
      [{ gross: '1.234' }, 'gross', 'invalid_amount'],
      [{ gross: '9'.repeat(50) }, 'gross', 'invalid_amount'],
      [{ supply: ['shared', 'industrial'] }, 'supply', 'unknown_supply'],
      [{ supply: '<script>' }, 'supply', 'unknown_supply'],
    ] as const) {
      const bad = await form(f)
      expect(!bad.ok && bad.error.fields?.[field], JSON.stringify(f)).toBe(code)
    }
    // Nothing but the good entry was stored; the trigger holds the amortization rule even against a direct insert.
    const stored = await t.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM cost_entries WHERE period = ${`${Y}-01`}`)
    expect(stored[0]!.n).toBe(1)
    const direct = await t.db
      .run(
        sql`INSERT INTO cost_entries (id, period, category, supply, gross_fen, subsidy_fen, net_fen, note, created_at)
            VALUES ('x', ${`${Y}-01`}, 'platform_construction', 'shared', 1, 0, 1, '', 0)`,
      )
      .then(
        () => '',
        (e: unknown) => errorText(e),
      )
    expect(direct).toContain('cost_amortization_invalid')
  })
})
