import { EVENT_CHARGE_UNITS, type ChargeModelName, type ChargeUnit, type EventChargeUnit } from '#db/schema/index.ts'
import { capCharge, displayUnitPrice, rateCharge, type Charge } from '../charge-models/index.ts'
import { BYTES_PER_MB } from '../costs/derive-unit-costs.ts'
import { Decimal, roundFen, ZERO } from '../money/decimal.ts'
import { monthsBetween, periodOf, type BillingPeriod } from '../periods/billing-period.ts'
import type { UsageGroup } from '../metering/aggregate-usage.ts'
import type { PriceTimeline } from './price-timeline.ts'

export type LineKind = 'usage' | 'adjustment' | 'fixed_fee' | 'model_release'
type Purpose = 'industrial' | 'public_interest'

export interface DraftLine {
  kind: LineKind
  partnerId: string
  subscriptionId: string
  productId: string
  chargeUnit: ChargeUnit
  purpose: Purpose
  usagePeriod: string
  windowFrom: number
  windowTo: number
  priceBookId: string | null
  priceBookVersion: number | null
  model: ChargeModelName | null
  /** JSON of the properties as applied (after the ceiling cap). */
  pricing: string | null
  cappedAtCeiling: boolean
  events: number
  quantity: string
  unitPrice: string
  preciseFen: string
  amountFen: number
  waivedFen: number
  unpriced: boolean
}

export interface DraftInvoice {
  partnerId: string
  lines: DraftLine[]
  subtotalFen: number
  vatRate: string
  vatFen: number
  totalFen: number
  waivedFen: number
  events: number
}

export interface ActiveSubscription {
  subscriptionId: string
  partnerId: string
  productId: string
  purpose: Purpose
  /** When the service began (approval, or creation): anchors the yearly fee's month. */
  startedAt: number
}

export interface UnbilledRelease {
  id: string
  subscriptionId: string
  partnerId: string
  productId: string
  purpose: Purpose
  releasedAt: number
}

export interface RatingInput {
  period: BillingPeriod
  /** The breakpoints the usage was grouped by (window i = [breakpoints[i-1], breakpoints[i])); month starts included. */
  breakpoints: number[]
  groups: UsageGroup[]
  timeline: PriceTimeline
  /** Units already billed (priced lines of earlier invoices) per `${subscriptionId}|${chargeUnit}|${usagePeriod}`. */
  alreadyBilled: Map<string, Decimal>
  subscriptions: ActiveSubscription[]
  releases: UnbilledRelease[]
  vatRate: Decimal
  /** Sort key of a product on the invoice (its code). */
  productOrder: Map<string, string>
}

const KIND_ORDER: Record<LineKind, number> = { usage: 0, fixed_fee: 1, model_release: 2, adjustment: 3 }
const UNIT_ORDER = new Map<ChargeUnit, number>(
  (
    ['call', 'record', 'masked_field', 'mb_exported', 'compute_second', 'model_release', 'service_month', 'service_year'] as const
  ).map((u, i) => [u, i]),
)

const MS_PER_SECOND = 1000

function meter(group: UsageGroup, unit: EventChargeUnit): Decimal {
  switch (unit) {
    case 'call':
      return new Decimal(group.calls)
    case 'record':
      return new Decimal(group.records)
    case 'masked_field':
      return new Decimal(group.fieldsMasked)
    case 'mb_exported':
      return new Decimal(group.exportBytes).dividedBy(BYTES_PER_MB)
    case 'compute_second':
      // Exact: 1,234 ms is 1.234 s; priced per second and rounded once per line like every meter.
      return new Decimal(group.computeMs).dividedBy(MS_PER_SECOND)
  }
}

/** One rated piece before lines are merged. */
interface Piece {
  kind: LineKind
  partnerId: string
  subscriptionId: string
  productId: string
  chargeUnit: ChargeUnit
  purpose: Purpose
  usagePeriod: string
  windowFrom: number
  windowTo: number
  book: { id: string; version: number } | null
  charge: Charge | null
  capped: boolean
  events: number
  quantity: Decimal
  amount: Decimal
}

/**
 * Rates aggregated usage with the prices in force and builds one draft invoice per partner. Pure: everything it needs
 * is passed in, so close and preview produce the same lines.
 *
 * - A window's usage is rated with the approved book in force at the window's start (windows are cut at every price
 *   and ceiling change and at month starts, so nothing changes inside one), each unit capped at the ceiling then in
 *   force. No approved book in force → the calls are listed on an unpriced line at 0.
 * - Graduated tiers and packages count the units billed under that charge unit in the month so far; a late event of a
 *   closed month is rated as if it came after everything that month already billed.
 * - Each line is rounded once, half-up; public-interest lines charge 0 and show the waived value; VAT is computed on
 *   the subtotal of rounded lines and rounded once.
 */
export function rateUsage(input: RatingInput): DraftInvoice[] {
  const { period, breakpoints, timeline } = input
  const pieces: Piece[] = []
  const offsets = new Map<string, Decimal>()
  const offsetOf = (key: string) => offsets.get(key) ?? input.alreadyBilled.get(key) ?? ZERO

  const windowBounds = (w: number) => {
    const rawFrom = w === 0 ? null : breakpoints[w - 1]!
    const rawTo = w < breakpoints.length ? breakpoints[w]! : null
    const month = rawFrom !== null ? periodOf(rawFrom) : periodOf(rawTo! - 1)
    return { from: Math.max(rawFrom ?? month.start, month.start), to: Math.min(rawTo ?? month.end, month.end), month }
  }

  // Usage: in time order within each subscription, so tiers fill up in the order the units were used.
  const groups = [...input.groups].sort((a, b) =>
    a.subscriptionId < b.subscriptionId ? -1 : a.subscriptionId > b.subscriptionId ? 1 : a.window - b.window,
  )
  for (const g of groups) {
    const { from, to, month } = windowBounds(g.window)
    const kind: LineKind = month.period === period.period ? 'usage' : 'adjustment'
    const base = {
      kind,
      partnerId: g.partnerId,
      subscriptionId: g.subscriptionId,
      productId: g.productId,
      purpose: g.purpose,
      usagePeriod: month.period,
      windowFrom: from,
      windowTo: to,
      events: g.events,
    }
    const book = timeline.bookAt(g.productId, from)
    if (!book) {
      pieces.push({
        ...base,
        chargeUnit: 'call',
        book: null,
        charge: null,
        capped: false,
        quantity: new Decimal(g.calls),
        amount: ZERO,
      })
      continue
    }
    for (const unit of EVENT_CHARGE_UNITS) {
      const charge = book.charges.get(unit)
      if (!charge) continue
      const quantity = meter(g, unit)
      if (quantity.isZero()) continue
      const key = `${g.subscriptionId}|${unit}|${month.period}`
      const offset = offsetOf(key)
      const ceiling = timeline.ceilingPriceAt(g.productId, unit, from)
      const applied = ceiling ? capCharge(charge, ceiling) : { charge, capped: false }
      pieces.push({
        ...base,
        chargeUnit: unit,
        book: { id: book.id, version: book.version },
        charge: applied.charge,
        capped: applied.capped,
        quantity,
        amount: rateCharge(applied.charge, { offset, quantity }),
      })
      offsets.set(key, offset.plus(quantity))
    }
  }

  // Periods of service: the book in force at the end of the period decides the fixed fee (billed in arrears).
  const lastInstant = period.end - 1
  for (const s of input.subscriptions) {
    const book = timeline.bookAt(s.productId, lastInstant)
    if (!book) continue
    for (const unit of ['service_month', 'service_year'] as const) {
      const charge = book.charges.get(unit)
      if (!charge) continue
      if (unit === 'service_year' && monthsBetween(periodOf(s.startedAt), period) % 12 !== 0) continue
      const ceiling = timeline.ceilingPriceAt(s.productId, unit, lastInstant)
      const applied = ceiling ? capCharge(charge, ceiling) : { charge, capped: false }
      const quantity = new Decimal(1)
      pieces.push({
        kind: 'fixed_fee',
        partnerId: s.partnerId,
        subscriptionId: s.subscriptionId,
        productId: s.productId,
        chargeUnit: unit,
        purpose: s.purpose,
        usagePeriod: period.period,
        windowFrom: period.start,
        windowTo: period.end,
        book: { id: book.id, version: book.version },
        charge: applied.charge,
        capped: applied.capped,
        events: 0,
        quantity,
        amount: rateCharge(applied.charge, { offset: ZERO, quantity }),
      })
    }
  }

  // Model releases, each with the book in force when it was released.
  for (const r of [...input.releases].sort((a, b) => a.releasedAt - b.releasedAt)) {
    const month = periodOf(r.releasedAt)
    const book = timeline.bookAt(r.productId, r.releasedAt)
    const charge = book?.charges.get('model_release')
    const base = {
      kind: 'model_release' as const,
      partnerId: r.partnerId,
      subscriptionId: r.subscriptionId,
      productId: r.productId,
      chargeUnit: 'model_release' as const,
      purpose: r.purpose,
      usagePeriod: month.period,
      windowFrom: month.start,
      windowTo: month.end,
      events: 0,
      quantity: new Decimal(1),
    }
    if (!book) {
      pieces.push({ ...base, book: null, charge: null, capped: false, amount: ZERO })
      continue
    }
    if (!charge) continue
    const key = `${r.subscriptionId}|model_release|${month.period}`
    const offset = offsetOf(key)
    const ceiling = timeline.ceilingPriceAt(r.productId, 'model_release', r.releasedAt)
    const applied = ceiling ? capCharge(charge, ceiling) : { charge, capped: false }
    pieces.push({
      ...base,
      book: { id: book.id, version: book.version },
      charge: applied.charge,
      capped: applied.capped,
      amount: rateCharge(applied.charge, { offset, quantity: base.quantity }),
    })
    offsets.set(key, offset.plus(1))
  }

  const eventsByPartner = new Map<string, number>()
  for (const g of input.groups) eventsByPartner.set(g.partnerId, (eventsByPartner.get(g.partnerId) ?? 0) + g.events)
  return buildInvoices(pieces, eventsByPartner, input)
}

function buildInvoices(pieces: Piece[], eventsByPartner: Map<string, number>, input: RatingInput): DraftInvoice[] {
  // Merge pieces that read the same on an invoice: same subscription, kind, month, unit, book and applied price.
  const merged = new Map<string, Piece>()
  for (const p of pieces) {
    const pricing = p.charge ? JSON.stringify(p.charge.properties) : ''
    const key = [
      p.subscriptionId,
      p.productId,
      p.kind,
      p.usagePeriod,
      p.chargeUnit,
      p.purpose,
      p.book?.id ?? '-',
      pricing,
      p.capped,
    ].join('|')
    const m = merged.get(key)
    if (m) {
      m.events += p.events
      m.quantity = m.quantity.plus(p.quantity)
      m.amount = m.amount.plus(p.amount)
      m.windowFrom = Math.min(m.windowFrom, p.windowFrom)
      m.windowTo = Math.max(m.windowTo, p.windowTo)
    } else {
      merged.set(key, { ...p })
    }
  }
  // Every partner with usage gets an invoice, even when no line charges anything (the events are still counted).
  const byPartner = new Map<string, DraftLine[]>([...eventsByPartner.keys()].map((id) => [id, []]))
  for (const p of merged.values()) {
    const unpriced = p.book === null
    const rounded = roundFen(p.amount)
    const line: DraftLine = {
      kind: p.kind,
      partnerId: p.partnerId,
      subscriptionId: p.subscriptionId,
      productId: p.productId,
      chargeUnit: p.chargeUnit,
      purpose: p.purpose,
      usagePeriod: p.usagePeriod,
      windowFrom: p.windowFrom,
      windowTo: p.windowTo,
      priceBookId: p.book?.id ?? null,
      priceBookVersion: p.book?.version ?? null,
      model: p.charge?.model ?? null,
      pricing: p.charge ? JSON.stringify(p.charge.properties) : null,
      cappedAtCeiling: p.capped,
      events: p.events,
      quantity: p.quantity.toFixed(),
      unitPrice: p.charge ? displayUnitPrice(p.charge, p.quantity, p.amount).toFixed() : '0',
      preciseFen: p.amount.toFixed(),
      // Art. 21: public-interest use is rated (so the waived value is known) but never charged.
      amountFen: unpriced || p.purpose === 'public_interest' ? 0 : rounded,
      waivedFen: !unpriced && p.purpose === 'public_interest' ? rounded : 0,
      unpriced,
    }
    const list = byPartner.get(p.partnerId) ?? []
    list.push(line)
    byPartner.set(p.partnerId, list)
  }
  const invoices: DraftInvoice[] = []
  for (const [partnerId, lines] of byPartner) {
    lines.sort(
      (a, b) =>
        (input.productOrder.get(a.productId) ?? a.productId).localeCompare(input.productOrder.get(b.productId) ?? b.productId) ||
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        a.usagePeriod.localeCompare(b.usagePeriod) ||
        a.windowFrom - b.windowFrom ||
        UNIT_ORDER.get(a.chargeUnit)! - UNIT_ORDER.get(b.chargeUnit)! ||
        a.purpose.localeCompare(b.purpose),
    )
    const subtotalFen = lines.reduce((s, l) => s + l.amountFen, 0)
    const vatFen = roundFen(new Decimal(subtotalFen).times(input.vatRate))
    invoices.push({
      partnerId,
      lines,
      subtotalFen,
      vatRate: input.vatRate.toFixed(),
      vatFen,
      totalFen: subtotalFen + vatFen,
      waivedFen: lines.reduce((s, l) => s + l.waivedFen, 0),
      events: eventsByPartner.get(partnerId) ?? 0,
    })
  }
  return invoices
}
