import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { auditLog, billingCloses, invoiceLines, invoices, priceBooks, usageEvents } from '#db/schema/index.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { nextPeriod, periodOf, type BillingPeriod } from '#billing/periods/billing-period.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { closeBillingPeriod, type ClosedPeriod } from '#billing/invoices/close-billing-period.ts'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { startBillingHarness, type BillingHarness, type ScenarioPartner } from '#test/support/billing-harness.ts'

// A whole January and February of 2027 replayed over HTTP through the gateway with a controlled clock. Every
// expected amount below is worked out by hand in the comments; VAT is 6%.

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const cli = cliActor()

const JAN = nextPeriod(nextPeriod(periodOf(Date.now())))
const FEB = nextPeriod(JAN)
const MAR = nextPeriod(FEB)
/** An instant in a period: day of month and "hh:mm" (or "hh:mm:ss.SSS") in Shanghai. */
function at(period: BillingPeriod, day: number, time = '00:00'): number {
  const [h = 0, m = 0, sec = 0] = time.split(':').map(Number)
  return period.start + (day - 1) * 86_400_000 + h * 3_600_000 + m * 60_000 + Math.round(sec * 1000)
}

describe('scenario: two whole months ("January" and "February") through the gateway', () => {
  let h: BillingHarness
  let a: ScenarioPartner // industrial: tiers crossed mid-month and a price change mid-month
  let b: ScenarioPartner // public interest: rated, never charged
  let c: ScenarioPartner // industrial: VAT of exactly half a fen
  let january: ClosedPeriod
  let preexisting: number
  let v1: number
  let v2: number

  const invoiceOf = (closed: ClosedPeriod, partner: ScenarioPartner) =>
    closed.invoices.find((i) => i.partner.id === partner.partnerId)!
  const lineSummary = (closed: ClosedPeriod, partner: ScenarioPartner) =>
    invoiceOf(closed, partner).lines.map((l) => ({
      kind: l.kind,
      usagePeriod: l.usagePeriod,
      v: l.priceBookVersion,
      units: l.units,
      amountFen: l.amountFen,
      waivedFen: l.waivedFen,
    }))

  async function propose(effectiveFrom: number, tiers: { upTo: number | null; unitPrice: string }[], now: number) {
    const result = await proposePriceBook(h.db, {
      input: {
        productId: h.productId,
        effectiveFrom,
        charges: [{ chargeUnit: 'call', model: 'graduated', properties: { tiers } }],
      },
      actor: operator,
      now,
    })
    if (!result.ok) throw new Error(JSON.stringify(result.error))
    return result.value
  }

  beforeAll(async () => {
    h = await startBillingHarness()
    // As a demo database would be (idempotent if the base database already has it): its prices must not leak in.
    await seedBillingDemo(h.db)
    preexisting = (await h.db.select({ n: count() }).from(usageEvents))[0]!.n
    const subscribedAt = Date.now()
    a = await h.addPartner('scenario-a', 'industrial', { subscribedAt })
    b = await h.addPartner('scenario-b', 'public_interest', { subscribedAt })
    c = await h.addPartner('scenario-c', 'industrial', { subscribedAt })

    // The bureau's ceiling: 5 fen (¥0.05) per call from 1 January.
    const ceiling = await setPriceCeiling(h.db, {
      input: {
        productId: h.productId,
        chargeUnit: 'call',
        maxUnitPrice: '5',
        effectiveFrom: at(JAN, 1),
        basis: '沈发改价格〔2026〕99号',
      },
      actor: bureau,
      now: Date.now(),
    })
    expect(ceiling.ok).toBe(true)

    // v1 from 1 January: calls 1–10 at 4 fen, 11–30 at 3.125 fen, beyond at 2 fen.
    const book1 = await propose(
      at(JAN, 1),
      [
        { upTo: 10, unitPrice: '4' },
        { upTo: 30, unitPrice: '3.125' },
        { upTo: null, unitPrice: '2' },
      ],
      Date.now(),
    )
    expect((await decidePriceBook(h.db, { priceBookId: book1.id, decision: 'approve', actor: bureau, now: Date.now() })).ok).toBe(
      true,
    )
    v1 = book1.version

    // v2 from 16 January: 1–10 at 4.5, 11–30 at 2.5, beyond at 1.375 (tiers keep counting from 1 January).
    const book2 = await propose(
      at(JAN, 16),
      [
        { upTo: 10, unitPrice: '4.5' },
        { upTo: 30, unitPrice: '2.5' },
        { upTo: null, unitPrice: '1.375' },
      ],
      at(JAN, 8),
    )
    expect(
      (await decidePriceBook(h.db, { priceBookId: book2.id, decision: 'approve', actor: bureau, now: at(JAN, 10) })).ok,
    ).toBe(true)
    v2 = book2.version

    // Never approved: a cheaper v3 from 20 January stays pending, a v4 is returned. Neither may rate anything.
    await propose(at(JAN, 20), [{ upTo: null, unitPrice: '0.5' }], at(JAN, 12))
    const v4 = await propose(at(JAN, 22), [{ upTo: null, unitPrice: '0.25' }], at(JAN, 12))
    expect(
      (
        await decidePriceBook(h.db, {
          priceBookId: v4.id,
          decision: 'return',
          comment: '成本依据不足',
          actor: bureau,
          now: at(JAN, 13),
        })
      ).ok,
    ).toBe(true)

    // January's usage.
    await h.calls(a, at(JAN, 5, '09:30'), 8) // v1, units 1–8
    await h.calls(b, at(JAN, 8, '14:00'), 11) // v1, units 1–11 of b
    await h.calls(a, at(JAN, 12, '16:45'), 6) // v1, units 9–14: crosses tier 1 at 10
    await h.calls(a, at(JAN, 20, '10:00'), 20) // v2, units 15–34: crosses tier 2 at 30
    await h.calls(c, at(JAN, 25, '11:11'), 22) // v2, units 1–22 of c
    // The first instant of February is not January's.
    await h.calls(a, FEB.start, 2)
  })
  afterAll(() => h?.stop())

  it('refuses a proposal above the ceiling, naming the charge', async () => {
    const refused = await proposePriceBook(h.db, {
      input: {
        productId: h.productId,
        effectiveFrom: at(JAN, 20),
        charges: [{ chargeUnit: 'call', model: 'standard', properties: { unitPrice: '5.01' } }],
      },
      actor: operator,
      now: at(JAN, 12),
    })
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error.code).toBe('price_above_ceiling')
    expect(refused.error.fields).toEqual({ 'charges.0': 'price_above_ceiling', 'charges.0.ceiling': '5' })
  })

  it('closes January: tiers crossed mid-month, a price change mid-month, public interest at zero, lines rounded once', async () => {
    const result = await closeBillingPeriod(h.db, { period: JAN.period, actor: cli, now: at(FEB, 2, '09:00') })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    january = result.value
    expect(january.alreadyClosed).toBe(false)

    // a: v1 window, units 1–14: 10 × 4 + 4 × 3.125 = 52.5 → 53 (half-up);
    //    v2 window, units 15–34: 16 × 2.5 + 4 × 1.375 = 45.5 → 46.
    expect(lineSummary(january, a)).toEqual([
      { kind: 'usage', usagePeriod: JAN.period, v: v1, units: '14', amountFen: 53, waivedFen: 0 },
      { kind: 'usage', usagePeriod: JAN.period, v: v2, units: '20', amountFen: 46, waivedFen: 0 },
    ])
    // Subtotal adds rounded lines: 53 + 46 = 99 (the precise sum 98 would round to 98). VAT 99 × 6% = 5.94 → 6.
    expect(invoiceOf(january, a)).toMatchObject({ subtotalFen: 99, vatFen: 6, totalFen: 105, waivedFen: 0, events: 34 })

    // b (public interest): 10 × 4 + 1 × 3.125 = 43.125 → waived 43, charged 0.
    expect(lineSummary(january, b)).toEqual([
      { kind: 'usage', usagePeriod: JAN.period, v: v1, units: '11', amountFen: 0, waivedFen: 43 },
    ])
    expect(invoiceOf(january, b)).toMatchObject({ subtotalFen: 0, vatFen: 0, totalFen: 0, waivedFen: 43 })
    expect(invoiceOf(january, b).lines[0]!.preciseFen).toBe('43.125')

    // c: 10 × 4.5 + 12 × 2.5 = 75; VAT 75 × 6% = 4.5 → 5 (half-up, not to even).
    expect(lineSummary(january, c)).toEqual([
      { kind: 'usage', usagePeriod: JAN.period, v: v2, units: '22', amountFen: 75, waivedFen: 0 },
    ])
    expect(invoiceOf(january, c)).toMatchObject({ subtotalFen: 75, vatFen: 5, totalFen: 80 })

    // The two calls of 1 February 00:00 are February's, not January's. (Events a base database held are late ones.)
    expect(january.eventsRated).toBe(8 + 11 + 6 + 20 + 22 + preexisting)
    expect(january.lateEvents).toBe(preexisting)
  })

  it('closing January twice changes nothing', async () => {
    const before = await counts()
    const again = await closeBillingPeriod(h.db, { period: JAN.period, actor: cli, now: at(FEB, 3) })
    expect(again.ok).toBe(true)
    if (!again.ok) return
    expect(again.value.alreadyClosed).toBe(true)
    expect(again.value.invoices).toEqual(january.invoices)
    expect(await counts()).toEqual(before)
  })

  it('bills a late January event once, on February’s invoice, as an adjustment at the January price', async () => {
    // Stamped on 31 January 23:59:59 but committed after January was closed.
    await h.calls(a, FEB.start - 1000, 1)
    await h.calls(a, at(FEB, 3, '08:00'), 3)
    const result = await closeBillingPeriod(h.db, { period: FEB.period, actor: cli, now: at(MAR, 1, '10:00') })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const february = result.value
    // February usage of a: the 2 calls of 1 February 00:00 and the 3 of 3 February, v2 tiers restart: 5 × 4.5 = 22.5 → 23.
    // The late call is unit 35 of a's January under v2 (in force on 31 January): tier 3, 1.375 → 1.
    expect(lineSummary(february, a)).toEqual([
      { kind: 'usage', usagePeriod: FEB.period, v: v2, units: '5', amountFen: 23, waivedFen: 0 },
      { kind: 'adjustment', usagePeriod: JAN.period, v: v2, units: '1', amountFen: 1, waivedFen: 0 },
    ])
    // 23 + 1 = 24; VAT 1.44 → 1.
    expect(invoiceOf(february, a)).toMatchObject({ subtotalFen: 24, vatFen: 1, totalFen: 25, events: 6 })
    expect(february.lateEvents).toBe(1)
    // b and c had no February usage: no invoice.
    expect(february.invoices.map((i) => i.partner.id)).not.toContain(b.partnerId)

    // Closing both again changes nothing and January is not re-billed.
    const before = await counts()
    for (const period of [JAN.period, FEB.period]) {
      const again = await closeBillingPeriod(h.db, { period, actor: cli, now: at(MAR, 2) })
      expect(again.ok && again.value.alreadyClosed).toBe(true)
    }
    expect(await counts()).toEqual(before)
    const aLines = await h.db
      .select({ units: invoiceLines.quantity, usagePeriod: invoiceLines.usagePeriod })
      .from(invoiceLines)
      .where(eq(invoiceLines.subscriptionId, a.subscriptionId))
    const januaryUnits = aLines.filter((l) => l.usagePeriod === JAN.period).reduce((s, l) => s + Number(l.units), 0)
    expect(januaryUnits).toBe(14 + 20 + 1)
  })

  it('never rated anything with the pending or returned proposals', async () => {
    const versions = await h.db
      .select({ version: priceBooks.version, state: priceBooks.state })
      .from(priceBooks)
      .where(eq(priceBooks.productId, h.productId))
    const unapproved = versions.filter((v) => v.state !== 'approved').map((v) => v.version)
    expect(unapproved.length).toBeGreaterThanOrEqual(2)
    const rated = await h.db
      .select({ v: invoiceLines.priceBookVersion })
      .from(invoiceLines)
      .where(eq(invoiceLines.productId, h.productId))
    for (const { v } of rated) expect(unapproved).not.toContain(v)
  })

  async function counts() {
    const n = async (table: typeof invoices | typeof invoiceLines | typeof billingCloses | typeof auditLog) =>
      (await h.db.select({ n: count() }).from(table))[0]!.n
    return { invoices: await n(invoices), lines: await n(invoiceLines), closes: await n(billingCloses), audit: await n(auditLog) }
  }
})
