import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { count, sql } from 'drizzle-orm'
import { billingCloses, invoices, modelReleases } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook, type ProposedCharge } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { closeBillingPeriod, type ClosedPeriod } from '#billing/invoices/close-billing-period.ts'
import { previewBillingPeriod } from '#billing/invoices/preview-billing-period.ts'
import { finalizeInvoice } from '#billing/invoices/finalize-invoice.ts'
import { issueCreditNote } from '#billing/invoices/issue-credit-note.ts'
import { getInvoice } from '#billing/invoices/get-invoice.ts'
import { estimatePartnerCharges } from '#billing/invoices/estimate-partner-charges.ts'
import { renderInvoicePdf } from '#billing/invoices/render-invoice-pdf.ts'
import { renderInvoiceCsv } from '#billing/invoices/render-invoice-csv.ts'
import { recordModelRelease } from '#billing/releases/record-model-release.ts'
import { nextPeriod, periodOf, type BillingPeriod } from '#billing/periods/billing-period.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'
import { addPartner, addProduct, insertEvents, type ScenarioPartner } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const M = nextPeriod(nextPeriod(periodOf(Date.now())))
const N = nextPeriod(M)
const day = (p: BillingPeriod, d: number) => p.start + (d - 1) * 86_400_000
const refusal = (statement: Promise<unknown>) =>
  statement.then(
    () => '',
    (error: unknown) => errorText(error),
  )

describe('closing periods and invoices', () => {
  let t: TestDatabase
  let productId: string
  let industrial: ScenarioPartner
  let publicInterest: ScenarioPartner

  /** A product priced from M: per call standard 2.5 fen plus a monthly base fee of ¥100 (ceilings 5 fen and ¥200). */
  beforeEach(async () => {
    t = await createTestDatabase()
    productId = await addProduct(t.db, 'invoice-test', 'model')
    for (const [chargeUnit, maxUnitPrice] of [
      ['call', '5'],
      ['service_month', '20000'],
      ['service_year', '100000'],
      ['model_release', '500000'],
    ] as const) {
      const r = await setPriceCeiling(t.db, {
        input: { productId, chargeUnit, maxUnitPrice, effectiveFrom: M.start },
        actor: bureau,
      })
      if (!r.ok) throw new Error(r.error.code)
    }
    await price(M.start, [
      { chargeUnit: 'call', model: 'standard', properties: { unitPrice: '2.5' } },
      { chargeUnit: 'service_month', model: 'fixed_fee', properties: { amount: '10000' } },
      { chargeUnit: 'model_release', model: 'fixed_fee', properties: { amount: '300000' } },
    ])
    industrial = await addPartner(t.db, { productId, code: 'inv-industrial', purpose: 'industrial', subscribedAt: Date.now() })
    publicInterest = await addPartner(t.db, {
      productId,
      code: 'inv-public',
      purpose: 'public_interest',
      subscribedAt: Date.now(),
    })
  })
  afterEach(() => t.destroy())

  async function price(effectiveFrom: number, charges: ProposedCharge[]) {
    const book = await proposePriceBook(t.db, { input: { productId, effectiveFrom, charges }, actor: operator })
    if (!book.ok) throw new Error(JSON.stringify(book.error))
    const approved = await decidePriceBook(t.db, { priceBookId: book.value.id, decision: 'approve', actor: bureau })
    if (!approved.ok) throw new Error(approved.error.code)
  }
  async function close(period: BillingPeriod): Promise<ClosedPeriod> {
    const result = await closeBillingPeriod(t.db, { period: period.period, actor: operator, now: period.end + 60_000 })
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
    return result.value
  }
  const mine = (closed: { invoices: ClosedPeriod['invoices'] }, p: ScenarioPartner) =>
    closed.invoices.find((i) => i.partner.id === p.partnerId)

  it('bills the monthly base fee to every active subscription (waived for public interest) beside the usage', async () => {
    await insertEvents(t.db, industrial, [day(M, 2), day(M, 3), day(M, 4)])
    const closed = await close(M)
    // 3 × 2.5 = 7.5 → 8; base fee 10000. Subtotal 10008, VAT 600.48 → 600.
    expect(mine(closed, industrial)!.lines.map((l) => [l.kind, l.charge, l.units, l.amountFen, l.waivedFen])).toEqual([
      ['usage', 'call', '3', 8, 0],
      ['fixed_fee', 'service_month', '1', 10000, 0],
    ])
    expect(mine(closed, industrial)).toMatchObject({ subtotalFen: 10008, vatFen: 600, totalFen: 10608 })
    // No calls at all, but subscribed: the base fee, waived.
    expect(mine(closed, publicInterest)!.lines.map((l) => [l.kind, l.amountFen, l.waivedFen])).toEqual([['fixed_fee', 0, 10000]])
    expect(mine(closed, publicInterest)).toMatchObject({ totalFen: 0, waivedFen: 10000, events: 0 })
  })

  it('bills a yearly fee in the subscription’s anniversary month only', async () => {
    await price(day(M, 2), [{ chargeUnit: 'service_year', model: 'fixed_fee', properties: { amount: '80000' } }])
    const yearly = await addPartner(t.db, { productId, code: 'inv-yearly', purpose: 'industrial', subscribedAt: day(M, 10) })
    const first = await close(M)
    expect(mine(first, yearly)!.lines.map((l) => [l.charge, l.amountFen])).toEqual([['service_year', 80000]])
    const second = await close(N)
    expect(mine(second, yearly)).toBeUndefined()
  })

  it('bills a model release once, by the first close after it', async () => {
    const release = await recordModelRelease(t.db, {
      partnerCode: 'inv-industrial',
      productCode: 'invoice-test',
      releasedAt: day(M, 7),
      actor: operator,
      now: day(M, 8),
    })
    expect(release.ok).toBe(true)
    const first = await close(M)
    expect(
      mine(first, industrial)!
        .lines.filter((l) => l.kind === 'model_release')
        .map((l) => [l.units, l.amountFen]),
    ).toEqual([['1', 300000]])
    const second = await close(N)
    expect(mine(second, industrial)!.lines.filter((l) => l.kind === 'model_release')).toEqual([])
    const [row] = await t.db.select({ closeId: modelReleases.billedCloseId }).from(modelReleases)
    expect(row!.closeId).not.toBeNull()
  })

  it('previews exactly what the close then stores, and a partner’s estimate is its own invoice', async () => {
    await insertEvents(
      t.db,
      industrial,
      Array.from({ length: 13 }, (_, i) => day(M, 1 + i)),
    )
    await insertEvents(
      t.db,
      publicInterest,
      Array.from({ length: 5 }, (_, i) => day(M, 20) + i),
    )
    const preview = await previewBillingPeriod(t.db, { period: M.period })
    if (!preview.ok) throw new Error(preview.error.code)
    expect((await t.db.select({ n: count() }).from(invoices))[0]!.n).toBe(0)
    const estimate = await estimatePartnerCharges(t.db, { partnerId: industrial.partnerId, now: day(M, 25) })
    const closed = await close(M)
    const strip = (i: NonNullable<ReturnType<typeof mine>>) => ({
      lines: i.lines,
      subtotalFen: i.subtotalFen,
      vatFen: i.vatFen,
      totalFen: i.totalFen,
      waivedFen: i.waivedFen,
      events: i.events,
    })
    for (const p of [industrial, publicInterest]) expect(strip(mine(preview.value, p)!)).toEqual(strip(mine(closed, p)!))
    expect(strip(estimate.invoice!)).toEqual(strip(mine(closed, industrial)!))
    const again = await previewBillingPeriod(t.db, { period: M.period })
    expect(!again.ok && again.error.code).toBe('period_closed')
  })

  it('closes in order only, after the period ended; two concurrent closes make one', async () => {
    const early = await closeBillingPeriod(t.db, { period: M.period, actor: operator, now: M.end - 1 })
    expect(!early.ok && early.error.code).toBe('period_not_ended')
    await insertEvents(t.db, industrial, [day(M, 2)])
    const [a, b] = await Promise.all([
      closeBillingPeriod(t.db, { period: M.period, actor: operator, now: M.end + 1 }),
      closeBillingPeriod(t.db, { period: M.period, actor: operator, now: M.end + 1 }),
    ])
    expect(a.ok && b.ok).toBe(true)
    if (!a.ok || !b.ok) return
    expect([a.value.alreadyClosed, b.value.alreadyClosed].sort()).toEqual([false, true])
    expect(a.value.invoices).toEqual(b.value.invoices)
    expect((await t.db.select({ n: count() }).from(billingCloses))[0]!.n).toBe(1)

    const skip = await closeBillingPeriod(t.db, { period: nextPeriod(N).period, actor: operator, now: nextPeriod(N).end + 1 })
    expect(!skip.ok && skip.error).toMatchObject({ code: 'previous_period_open', fields: { expected: N.period } })
    const before = await closeBillingPeriod(t.db, { period: periodOf(M.start - 1).period, actor: operator, now: M.end + 1 })
    expect(!before.ok && before.error.code).toBe('period_before_first_close')
  })

  it('bills events before the first closed period with it, as adjustments of their own month', async () => {
    const previous = periodOf(M.start - 1)
    // Priced from M only: the earlier month's call had no approved price in force.
    await insertEvents(t.db, industrial, [previous.start + 1000, day(M, 3)])
    const closed = await close(M)
    expect(mine(closed, industrial)!.lines.map((l) => [l.kind, l.usagePeriod, l.unpriced, l.amountFen])).toEqual([
      ['usage', M.period, false, 3],
      ['fixed_fee', M.period, false, 10000],
      ['adjustment', previous.period, true, 0],
    ])
    expect(closed.lateEvents).toBeGreaterThanOrEqual(1)
  })

  it('finalizes with gap-free numbers per year, even concurrently, and then the invoice is immutable', async () => {
    const extra = await Promise.all(
      [1, 2, 3].map((i) =>
        addPartner(t.db, { productId, code: `inv-extra-${i}`, purpose: 'industrial', subscribedAt: Date.now() }),
      ),
    )
    const closed = await close(M)
    const ids = [industrial, publicInterest, ...extra].map((p) => mine(closed, p)!.id!)
    const now = day(N, 2)
    const results = await Promise.all(ids.map((invoiceId) => finalizeInvoice(t.db, { invoiceId, actor: operator, now })))
    const year = calendarYear(now)
    const numbers = results.map((r) => (r.ok ? r.value.number : r.error.code)).sort()
    expect(numbers).toEqual([1, 2, 3, 4, 5].map((n) => `SYGD-${year}-${String(n).padStart(6, '0')}`))
    const again = await finalizeInvoice(t.db, { invoiceId: ids[0]!, actor: operator, now })
    expect(!again.ok && again.error.code).toBe('invoice_not_draft')

    expect(await refusal(t.db.run(sql`UPDATE invoices SET total_fen = total_fen + 1`))).toContain('billing_immutable')
    expect(await refusal(t.db.run(sql`UPDATE invoices SET state = 'draft', number = NULL WHERE state = 'finalized'`))).toContain(
      'billing_immutable',
    )
    expect(await refusal(t.db.run(sql`UPDATE invoice_lines SET amount_fen = 0`))).toContain('billing_immutable')
    expect(await refusal(t.db.run(sql`DELETE FROM invoices`))).toContain('billing_immutable')
    expect(await refusal(t.db.run(sql`DELETE FROM billing_closes`))).toContain('billing_immutable')
  })

  it('voids a finalized invoice only by a credit note, numbered on its own', async () => {
    await insertEvents(t.db, industrial, [day(M, 2)])
    const closed = await close(M)
    const invoiceId = mine(closed, industrial)!.id!
    const draft = await issueCreditNote(t.db, { invoiceId, reason: '金额有误', actor: operator })
    expect(!draft.ok && draft.error.code).toBe('invoice_not_finalized')
    await finalizeInvoice(t.db, { invoiceId, actor: operator })
    const noReason = await issueCreditNote(t.db, { invoiceId, reason: ' ', actor: operator })
    expect(!noReason.ok && noReason.error.fields).toEqual({ reason: 'required' })
    const credit = await issueCreditNote(t.db, { invoiceId, reason: '价格适用错误，重新出具', actor: operator, now: day(N, 3) })
    expect(credit.ok && credit.value.number).toBe(`SYGD-CN-${calendarYear(day(N, 3))}-000001`)
    const voided = await getInvoice(t.db, { invoiceId })
    expect(voided).toMatchObject({ state: 'voided', creditNote: { number: `SYGD-CN-${calendarYear(day(N, 3))}-000001` } })
    const twice = await issueCreditNote(t.db, { invoiceId, reason: '再次', actor: operator })
    expect(!twice.ok && twice.error.code).toBe('invoice_already_voided')
    expect(await refusal(t.db.run(sql`UPDATE invoices SET state = 'finalized' WHERE id = ${invoiceId}`))).toContain(
      'billing_immutable',
    )
  })

  it('shows a partner only its own finalized invoices', async () => {
    await insertEvents(t.db, industrial, [day(M, 2)])
    const closed = await close(M)
    const invoiceId = mine(closed, industrial)!.id!
    expect(await getInvoice(t.db, { invoiceId, partnerId: industrial.partnerId })).toBeNull() // a draft
    await finalizeInvoice(t.db, { invoiceId, actor: operator })
    expect(await getInvoice(t.db, { invoiceId, partnerId: industrial.partnerId })).not.toBeNull()
    expect(await getInvoice(t.db, { invoiceId, partnerId: publicInterest.partnerId })).toBeNull()
  })

  it('renders the invoice as a PDF with the CJK font embedded and as CSV with a BOM', async () => {
    await insertEvents(t.db, industrial, [day(M, 2), day(M, 3)])
    const closed = await close(M)
    await finalizeInvoice(t.db, { invoiceId: mine(closed, industrial)!.id!, actor: operator })
    const invoice = (await getInvoice(t.db, { invoiceId: mine(closed, industrial)!.id! }))!
    const pdf = await renderInvoicePdf(invoice)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.toString('latin1')).toContain('NotoSansSC')
    const csv = renderInvoiceCsv(invoice)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const rows = csv.slice(1).trimEnd().split('\r\n')
    expect(rows[0]).toContain('invoice_number,state,period,partner_code')
    expect(rows[1]).toContain(`${invoice.number},finalized,${M.period},inv-industrial`)
    expect(rows[1]).toContain(',2,2.5,5,5,0.05,0,false') // 2 calls × 2.5 = 5 fen
    expect(rows.at(-2)).toContain('合计 total')
    expect(rows.at(-2)).toContain(`,${invoice.totalFen},`)
  })
})
