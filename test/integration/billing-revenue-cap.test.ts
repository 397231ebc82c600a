import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { billingCloses, invoices, partners } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { recordCostEntry } from '#billing/costs/record-cost-entry.ts'
import { setRevenueCapSetting } from '#billing/revenue/set-revenue-cap-setting.ts'
import { getRevenueCap } from '#billing/revenue/get-revenue-cap.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { fromLocal, parseMonth } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const Y = 2031
const NOW = fromLocal(2033, 1, 15)

describe('maximum allowed revenue (65号)', () => {
  let t: TestDatabase
  let partnerId: string

  beforeEach(async () => {
    t = await createTestDatabase()
    partnerId = randomUUID()
    await t.db.insert(partners).values({ id: partnerId, code: 'cap-partner', name: '上限测试', kind: 'legal_person' })
  })
  afterEach(() => t.destroy())

  /** A finalized invoice of `period` with `subtotalFen`, stored as a close would (fixture). */
  async function invoice(period: string, subtotalFen: number, seq: number) {
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
    return id
  }

  it('cost + profit + taxes, paid revenue against it, and the excess deducted from the next year', async () => {
    // Y: cost 1,000,000 + 200,000 − subsidy 100,000 = 1,100,000 fen; a corrected entry replaces the first.
    for (const [period, category, grossFen, subsidyFen] of [
      [`${Y}-01`, 'compute', 500_000, 0],
      [`${Y}-01`, 'compute', 600_000, 0],
      [`${Y}-06`, 'storage', 400_000, 0],
      [`${Y}-06`, 'desensitization', 200_000, 100_000],
      [`${Y + 1}-03`, 'compute', 1_000_000, 0],
    ] as const) {
      const r = await recordCostEntry(t.db, { input: { period, category, grossFen, subsidyFen }, actor: operator, now: NOW })
      if (!r.ok) throw new Error(JSON.stringify(r.error))
    }
    expect(
      (await setRevenueCapSetting(t.db, { input: { year: Y, profitRate: '0.0785', taxRate: '0.05' }, actor: bureau })).ok,
    ).toBe(true)
    expect(
      (await setRevenueCapSetting(t.db, { input: { year: Y + 1, profitRate: '0.08', taxRate: '0' }, actor: bureau })).ok,
    ).toBe(true)
    const bad = await setRevenueCapSetting(t.db, { input: { year: Y, profitRate: '2', taxRate: 'x' }, actor: bureau })
    expect(!bad.ok && bad.error.fields).toEqual({ profitRate: 'rate_too_large', taxRate: 'decimal' })

    // Paid in Y: 1,200,000 + 100,000; an unpaid one is not counted.
    const a = await invoice(`${Y}-02`, 1_200_000, 1)
    const b = await invoice(`${Y}-07`, 100_000, 2)
    await invoice(`${Y}-08`, 50_000, 3)
    for (const id of [a, b]) expect((await markInvoicePaid(t.db, { invoiceId: id, paidAt: NOW, actor: operator })).ok).toBe(true)

    const years = await getRevenueCap(t.db, { now: NOW, toYear: Y + 1 })
    const y = years.find((r) => r.year === Y)!
    // Hand-worked: profit 1,100,000 × 0.0785 = 86,350; taxes (1,186,350) × 0.05 = 59,317.5 → 59,318; max 1,245,668.
    expect(y).toMatchObject({
      operatingCostFen: 1_100_000,
      allowedProfitFen: 86_350,
      taxesFen: 59_318,
      maximumFen: 1_245_668,
      paidRevenueFen: 1_300_000,
      unpaidRevenueFen: 50_000,
      excessFen: 54_332,
    })
    // Y+1: 1,000,000 + 80,000 profit = 1,080,000, less Y's excess 54,332 = 1,025,668.
    expect(years.find((r) => r.year === Y + 1)).toMatchObject({
      grossMaximumFen: 1_080_000,
      deductionFen: 54_332,
      maximumFen: 1_025_668,
      excessFen: 0,
    })
  })

  it('only a finalized invoice can be marked paid, and only once', async () => {
    const id = await invoice(`${Y}-02`, 1000, 1)
    const first = await markInvoicePaid(t.db, { invoiceId: id, paidAt: NOW, actor: operator })
    const second = await markInvoicePaid(t.db, { invoiceId: id, paidAt: NOW + 1000, actor: operator })
    expect(first.ok && second.ok && second.value.paidAt).toBe(NOW)
    expect((await markInvoicePaid(t.db, { invoiceId: 'nope', paidAt: NOW, actor: operator })).ok).toBe(false)
  })
})
