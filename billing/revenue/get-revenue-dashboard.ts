import { and, eq, gte, inArray, ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  billingCloses,
  datasets,
  invoiceLines,
  invoices,
  partners,
  productDatasets,
  products,
  sourceUnits,
} from '#db/schema/index.ts'
import { nextPeriod, periodOf, previousPeriod } from '../periods/billing-period.ts'
import { previewBillingPeriod } from '../invoices/preview-billing-period.ts'

/** One slice of revenue: charged (industrial, on invoices or the open estimate), paid, waived (public interest). */
export interface RevenueFigures {
  chargedFen: number
  paidFen: number
  waivedFen: number
  events: number
}

export interface RevenueRow extends RevenueFigures {
  key: string
  labelZh: string
  labelEn: string
}

export interface RevenueMonth extends RevenueFigures {
  period: string
  /**
   * closed: the period was closed (its figures are the stored invoices, none if nothing was used); open: an estimate
   * of a period not closed yet (the current month, or the last one before its close); unclosed: an older month never
   * closed (before the first close), so nothing was billed for it and no estimate is made.
   */
  source: 'closed' | 'open' | 'unclosed'
}

export interface RevenueDashboard {
  from: string
  to: string
  totals: RevenueFigures
  months: RevenueMonth[]
  byProduct: RevenueRow[]
  byPartner: RevenueRow[]
  bySourceUnit: RevenueRow[]
  byPurpose: RevenueRow[]
}

interface Slice {
  period: string
  source: 'closed' | 'open'
  productId: string
  partnerId: string
  purpose: 'industrial' | 'public_interest'
  chargedFen: number
  paidFen: number
  waivedFen: number
  events: number
}

const zero = (): RevenueFigures => ({ chargedFen: 0, paidFen: 0, waivedFen: 0, events: 0 })
function add(to: RevenueFigures, s: RevenueFigures, share = 1) {
  to.chargedFen += s.chargedFen * share
  to.paidFen += s.paidFen * share
  to.waivedFen += s.waivedFen * share
  to.events += s.events * share
}

/**
 * The operator's revenue over the last `months` Shanghai months up to `now`: closed months from the stored invoice
 * lines (voided invoices left out), the current month from the same rating as its close would do (an estimate, nothing
 * stored). Amounts are line amounts before VAT. Paid = lines of invoices marked paid. A source unit's share of a
 * product's revenue is an equal split among the source units whose datasets the product is built on (integer fen,
 * the remainder to the first unit so shares add up to the product's figure).
 */
export async function getRevenueDashboard(db: Db, opts: { now: number; months?: number }): Promise<RevenueDashboard> {
  const months = Math.max(1, Math.min(opts.months ?? 12, 60))
  const current = periodOf(opts.now)
  let first = current
  for (let i = 1; i < months; i++) first = previousPeriod(first)

  const slices: Slice[] = []
  // Closed months: a GROUP BY over the stored lines (a few thousand rows at most), never over usage events.
  const closed = await db
    .select({
      period: invoiceLines.usagePeriod,
      productId: invoiceLines.productId,
      partnerId: invoices.partnerId,
      purpose: invoiceLines.purpose,
      paidAt: invoices.paidAt,
      amountFen: invoiceLines.amountFen,
      waivedFen: invoiceLines.waivedFen,
      events: invoiceLines.events,
      kind: invoiceLines.kind,
      invoiceId: invoiceLines.invoiceId,
      subscriptionId: invoiceLines.subscriptionId,
      windowFrom: invoiceLines.windowFrom,
    })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(ne(invoices.state, 'voided'), gte(invoices.period, first.period)))
  // A usage event appears on each charge line of its product (calls and MB exported, say): count it once, on the
  // line with the most events of its invoice, subscription, kind, month and price window.
  const eventLine = new Map<string, (typeof closed)[number]>()
  for (const r of closed) {
    if (r.kind !== 'usage' && r.kind !== 'adjustment') continue
    const key = `${r.invoiceId}:${r.subscriptionId}:${r.kind}:${r.period}:${r.windowFrom}`
    const best = eventLine.get(key)
    if (!best || r.events > best.events) eventLine.set(key, r)
  }
  const counted = new Set(eventLine.values())
  for (const r of closed) {
    // Fixed fees and releases count in the invoice's month; usage and adjustments in the month the usage happened.
    const period = r.period < first.period ? first.period : r.period
    slices.push({
      period,
      source: 'closed',
      productId: r.productId,
      partnerId: r.partnerId,
      purpose: r.purpose,
      chargedFen: r.amountFen,
      paidFen: r.paidAt ? r.amountFen : 0,
      waivedFen: r.waivedFen,
      events: counted.has(r) ? r.events : 0,
    })
  }
  // The open month (or an ended month not closed yet): the preview's lines.
  const openPeriods = [current, previousPeriod(current)].filter((p) => p.start >= first.start)
  // Closed is what the billing closes say, not "has an invoice": a closed month without usage has none (issue 16).
  const closedPeriods = new Set(
    (await db.selectDistinct({ period: billingCloses.period }).from(billingCloses)).map((r) => r.period),
  )
  for (const p of openPeriods) {
    if (closedPeriods.has(p.period)) continue
    const preview = await previewBillingPeriod(db, { period: p.period })
    if (!preview.ok) continue
    for (const inv of preview.value.invoices) {
      const best = new Map<string, (typeof inv.lines)[number]>()
      for (const line of inv.lines) {
        if (line.kind !== 'usage' && line.kind !== 'adjustment') continue
        const key = `${line.product}:${line.purpose}:${line.kind}:${line.usagePeriod}:${line.windowFrom}`
        const b = best.get(key)
        if (!b || line.events > b.events) best.set(key, line)
      }
      const countedLines = new Set(best.values())
      for (const line of inv.lines) {
        slices.push({
          period: line.usagePeriod < first.period ? first.period : line.usagePeriod,
          source: 'open',
          productId: line.product, // a code here, mapped to the id below
          partnerId: inv.partner.id,
          purpose: line.purpose,
          chargedFen: line.amountFen,
          paidFen: 0,
          waivedFen: line.waivedFen,
          events: countedLines.has(line) ? line.events : 0,
        })
      }
    }
  }

  // Names.
  const productRows = await db
    .select({ id: products.id, code: products.code, nameZh: products.nameZh, nameEn: products.nameEn })
    .from(products)
  const productByCode = new Map(productRows.map((p) => [p.code, p]))
  const productById = new Map(productRows.map((p) => [p.id, p]))
  for (const s of slices) if (!productById.has(s.productId)) s.productId = productByCode.get(s.productId)?.id ?? s.productId
  const partnerIds = [...new Set(slices.map((s) => s.partnerId))]
  const partnerRows = partnerIds.length
    ? await db
        .select({ id: partners.id, code: partners.code, name: partners.name })
        .from(partners)
        .where(inArray(partners.id, partnerIds))
    : []
  const partnerById = new Map(partnerRows.map((p) => [p.id, p]))
  const unitRows = await db
    .selectDistinct({
      productId: productDatasets.productId,
      code: sourceUnits.code,
      nameZh: sourceUnits.nameZh,
      nameEn: sourceUnits.nameEn,
    })
    .from(productDatasets)
    .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
  const unitsByProduct = new Map<string, { code: string; nameZh: string; nameEn: string }[]>()
  for (const u of unitRows) {
    const list = unitsByProduct.get(u.productId) ?? []
    if (!list.some((x) => x.code === u.code)) list.push(u)
    unitsByProduct.set(u.productId, list)
  }
  for (const list of unitsByProduct.values()) list.sort((a, b) => a.code.localeCompare(b.code))

  const monthMap = new Map<string, RevenueMonth>()
  for (let p = first; p.start <= current.start; p = nextPeriod(p)) {
    const source = closedPeriods.has(p.period) ? 'closed' : openPeriods.some((o) => o.period === p.period) ? 'open' : 'unclosed'
    monthMap.set(p.period, { period: p.period, source, ...zero() })
  }
  const totals = zero()
  const byProduct = new Map<string, RevenueRow>()
  const byPartner = new Map<string, RevenueRow>()
  const bySourceUnit = new Map<string, RevenueRow>()
  const byPurpose = new Map<string, RevenueRow>()
  const row = (map: Map<string, RevenueRow>, key: string, labelZh: string, labelEn: string) => {
    let r = map.get(key)
    if (!r) map.set(key, (r = { key, labelZh, labelEn, ...zero() }))
    return r
  }
  for (const s of slices) {
    add(totals, s)
    const m = monthMap.get(s.period)
    if (m) add(m, s)
    const product = productById.get(s.productId)
    add(row(byProduct, product?.code ?? s.productId, product?.nameZh ?? s.productId, product?.nameEn ?? s.productId), s)
    const partner = partnerById.get(s.partnerId)
    add(row(byPartner, partner?.code ?? s.partnerId, partner?.name ?? s.partnerId, partner?.name ?? s.partnerId), s)
    add(row(byPurpose, s.purpose, s.purpose, s.purpose), s)
    const units = unitsByProduct.get(s.productId) ?? []
    if (units.length === 0) {
      add(row(bySourceUnit, '-', '（无）', '(none)'), s)
      continue
    }
    units.forEach((u, i) => {
      const r = row(bySourceUnit, u.code, u.nameZh, u.nameEn)
      r.chargedFen += splitShare(s.chargedFen, units.length, i)
      r.paidFen += splitShare(s.paidFen, units.length, i)
      r.waivedFen += splitShare(s.waivedFen, units.length, i)
      r.events += s.events
    })
  }
  const sorted = (map: Map<string, RevenueRow>) =>
    [...map.values()].sort((a, b) => b.chargedFen + b.waivedFen - (a.chargedFen + a.waivedFen) || a.key.localeCompare(b.key))
  return {
    from: first.period,
    to: current.period,
    totals,
    months: [...monthMap.values()],
    byProduct: sorted(byProduct),
    byPartner: sorted(byPartner),
    bySourceUnit: sorted(bySourceUnit),
    byPurpose: sorted(byPurpose),
  }
}

/** Integer share i of n equal parts of `fen`: the remainder goes to the first parts. */
function splitShare(fen: number, n: number, i: number): number {
  const base = Math.trunc(fen / n)
  const rest = fen - base * n
  return base + (i < Math.abs(rest) ? Math.sign(rest) : 0)
}
