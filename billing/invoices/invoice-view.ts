import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  creditNotes,
  invoiceLines,
  invoices,
  partners,
  products,
  type ChargeModelName,
  type ChargeUnit,
} from '#db/schema/index.ts'
import type { DraftInvoice, LineKind } from '../rating/rate-usage.ts'

export interface InvoiceLineView {
  lineNo: number
  kind: LineKind
  product: string
  productNameZh: string
  productNameEn: string
  charge: ChargeUnit
  purpose: 'industrial' | 'public_interest'
  usagePeriod: string
  windowFrom: number
  windowTo: number
  priceBookVersion: number | null
  model: ChargeModelName | null
  /** JSON of the charge properties as applied. */
  pricing: string | null
  cappedAtCeiling: boolean
  events: number
  /** Units (decimal text: MB exported can be fractional). */
  units: string
  /** Fen per unit (decimal text). */
  unitPrice: string
  preciseFen: string
  amountFen: number
  waivedFen: number
  unpriced: boolean
}

export interface InvoiceView {
  /** Null for a preview (nothing stored). */
  id: string | null
  number: string | null
  state: 'draft' | 'finalized' | 'voided' | 'preview'
  period: string
  partner: { id: string; code: string; name: string; uscc: string | null }
  lines: InvoiceLineView[]
  events: number
  subtotalFen: number
  vatRate: string
  vatFen: number
  totalFen: number
  waivedFen: number
  createdAt: number | null
  finalizedAt: number | null
  paidAt: number | null
  voidedAt: number | null
  creditNote: { number: string; reason: string; createdAt: number } | null
}

type ProductInfo = { code: string; nameZh: string; nameEn: string }
type PartnerInfo = { id: string; code: string; name: string; uscc: string | null }

export async function productInfo(db: Db): Promise<Map<string, ProductInfo>> {
  const rows = await db
    .select({ id: products.id, code: products.code, nameZh: products.nameZh, nameEn: products.nameEn })
    .from(products)
  return new Map(rows.map((r) => [r.id, r]))
}

export async function partnerInfo(db: Db, ids: string[]): Promise<Map<string, PartnerInfo>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ id: partners.id, code: partners.code, name: partners.name, uscc: partners.uscc })
    .from(partners)
    .where(inArray(partners.id, ids))
  return new Map(rows.map((r) => [r.id, r]))
}

const unknownProduct = (id: string): ProductInfo => ({ code: id, nameZh: id, nameEn: id })

/** Preview drafts in the same shape as stored invoices, sorted by partner code. */
export async function draftsToViews(db: Db, period: string, drafts: DraftInvoice[]): Promise<InvoiceView[]> {
  const prods = await productInfo(db)
  const parts = await partnerInfo(
    db,
    drafts.map((d) => d.partnerId),
  )
  return drafts
    .map((d) => {
      const partner = parts.get(d.partnerId) ?? { id: d.partnerId, code: d.partnerId, name: d.partnerId, uscc: null }
      return {
        id: null,
        number: null,
        state: 'preview' as const,
        period,
        partner,
        events: d.events,
        lines: d.lines.map((l, i) => {
          const p = prods.get(l.productId) ?? unknownProduct(l.productId)
          return {
            lineNo: i + 1,
            kind: l.kind,
            product: p.code,
            productNameZh: p.nameZh,
            productNameEn: p.nameEn,
            charge: l.chargeUnit,
            purpose: l.purpose,
            usagePeriod: l.usagePeriod,
            windowFrom: l.windowFrom,
            windowTo: l.windowTo,
            priceBookVersion: l.priceBookVersion,
            model: l.model,
            pricing: l.pricing,
            cappedAtCeiling: l.cappedAtCeiling,
            events: l.events,
            units: l.quantity,
            unitPrice: l.unitPrice,
            preciseFen: l.preciseFen,
            amountFen: l.amountFen,
            waivedFen: l.waivedFen,
            unpriced: l.unpriced,
          }
        }),
        subtotalFen: d.subtotalFen,
        vatRate: d.vatRate,
        vatFen: d.vatFen,
        totalFen: d.totalFen,
        waivedFen: d.waivedFen,
        createdAt: null,
        finalizedAt: null,
        paidAt: null,
        voidedAt: null,
        creditNote: null,
      }
    })
    .sort((a, b) => a.partner.code.localeCompare(b.partner.code))
}

/** Stored invoices (with lines) chosen by id, close or partner; sorted by period (newest first), then partner code. */
export async function loadInvoiceViews(
  db: Db,
  where: { ids?: string[]; closeId?: string; partnerId?: string; period?: string },
): Promise<InvoiceView[]> {
  const rows = await db
    .select({
      id: invoices.id,
      number: invoices.number,
      state: invoices.state,
      period: invoices.period,
      partnerId: invoices.partnerId,
      subtotalFen: invoices.subtotalFen,
      vatRate: invoices.vatRate,
      vatFen: invoices.vatFen,
      totalFen: invoices.totalFen,
      waivedFen: invoices.waivedFen,
      events: invoices.events,
      createdAt: invoices.createdAt,
      finalizedAt: invoices.finalizedAt,
      paidAt: invoices.paidAt,
      voidedAt: invoices.voidedAt,
      creditNumber: creditNotes.number,
      creditReason: creditNotes.reason,
      creditAt: creditNotes.createdAt,
    })
    .from(invoices)
    .leftJoin(creditNotes, eq(creditNotes.invoiceId, invoices.id))
    .where(
      and(
        where.ids ? inArray(invoices.id, where.ids.length ? where.ids : ['']) : undefined,
        where.closeId ? eq(invoices.closeId, where.closeId) : undefined,
        where.partnerId ? eq(invoices.partnerId, where.partnerId) : undefined,
        where.period ? eq(invoices.period, where.period) : undefined,
      ),
    )
  if (rows.length === 0) return []
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(
      inArray(
        invoiceLines.invoiceId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(invoiceLines.invoiceId), asc(invoiceLines.lineNo))
  const prods = await productInfo(db)
  const parts = await partnerInfo(db, [...new Set(rows.map((r) => r.partnerId))])
  return rows
    .map((r) => {
      const own = lines.filter((l) => l.invoiceId === r.id)
      return {
        id: r.id,
        number: r.number,
        state: r.state,
        period: r.period,
        partner: parts.get(r.partnerId)!,
        events: r.events,
        lines: own.map((l) => {
          const p = prods.get(l.productId) ?? unknownProduct(l.productId)
          return {
            lineNo: l.lineNo,
            kind: l.kind,
            product: p.code,
            productNameZh: p.nameZh,
            productNameEn: p.nameEn,
            charge: l.chargeUnit,
            purpose: l.purpose,
            usagePeriod: l.usagePeriod,
            windowFrom: l.windowFrom,
            windowTo: l.windowTo,
            priceBookVersion: l.priceBookVersion,
            model: l.model,
            pricing: l.pricing,
            cappedAtCeiling: l.cappedAtCeiling,
            events: l.events,
            units: l.quantity,
            unitPrice: l.unitPrice,
            preciseFen: l.preciseFen,
            amountFen: l.amountFen,
            waivedFen: l.waivedFen,
            unpriced: l.unpriced,
          }
        }),
        subtotalFen: r.subtotalFen,
        vatRate: r.vatRate,
        vatFen: r.vatFen,
        totalFen: r.totalFen,
        waivedFen: r.waivedFen,
        createdAt: r.createdAt,
        finalizedAt: r.finalizedAt,
        paidAt: r.paidAt,
        voidedAt: r.voidedAt,
        creditNote: r.creditNumber ? { number: r.creditNumber, reason: r.creditReason!, createdAt: r.creditAt! } : null,
      }
    })
    .sort((a, b) => b.period.localeCompare(a.period) || a.partner.code.localeCompare(b.partner.code))
}
