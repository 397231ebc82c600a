import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, decimalText, fen, id, timestamp } from '../columns.ts'
import { products } from './catalog.ts'
import { PURPOSES, subscriptions } from './gateway.ts'
import { partners, users } from './identity.ts'

// Billing (issue 5): ceilings, price books, costs, closes, invoices and credit notes.
// Money in integer fen, unit prices as decimal strings in FEN per unit (docs/decisions/0003, 0010).
// Ceilings, price books and cost entries are versioned rows: never edited, a newer row supersedes.

/**
 * Charge units (65号; the Fujian and Guangzhou schedules). The first four are meters of `usage_events`:
 * call ↔ calls, record ↔ records, masked_field ↔ fields_masked, mb_exported ↔ export_bytes / 1,000,000.
 * model_release is counted from `model_releases`; service_month / service_year are periods of service (fixed fees).
 */
export const CHARGE_UNITS = [
  'call',
  'record',
  'masked_field',
  'mb_exported',
  'model_release',
  'service_month',
  'service_year',
] as const
export type ChargeUnit = (typeof CHARGE_UNITS)[number]
export const EVENT_CHARGE_UNITS = ['call', 'record', 'masked_field', 'mb_exported'] as const
export type EventChargeUnit = (typeof EVENT_CHARGE_UNITS)[number]

export const CHARGE_MODELS = ['standard', 'graduated', 'package', 'fixed_fee'] as const
export type ChargeModelName = (typeof CHARGE_MODELS)[number]

/** Art. 22 cost categories; infrastructure resources split into compute, storage and bandwidth. */
export const COST_CATEGORIES = ['compute', 'storage', 'bandwidth', 'desensitization', 'model_release', 'result_export'] as const
export type CostCategory = (typeof COST_CATEGORIES)[number]

export const PRICE_BOOK_STATES = ['pending_review', 'approved', 'returned'] as const
export const INVOICE_STATES = ['draft', 'finalized', 'voided'] as const
export const INVOICE_LINE_KINDS = ['usage', 'adjustment', 'fixed_fee', 'model_release'] as const

/** VAT rate (decimal text, e.g. "0.06"); the row with the latest effective_from ≤ a period's start applies to it. */
export const vatRates = sqliteTable('vat_rates', {
  id: id(),
  rate: decimalText('rate').notNull(),
  effectiveFrom: integer('effective_from').notNull(),
  note: text('note'),
  setByUserId: text('set_by_user_id').references(() => users.id),
  createdAt: createdAt(),
})

/** 上限收费标准: the bureau's fee ceiling per product and charge unit, in fen per unit, from a date. */
export const priceCeilings = sqliteTable(
  'price_ceilings',
  {
    id: id(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    chargeUnit: text('charge_unit', { enum: CHARGE_UNITS }).notNull(),
    /** Fen per unit (decimal text): "5" = ¥0.05 per call; for service_month the fee of one month. */
    maxUnitPrice: decimalText('max_unit_price').notNull(),
    effectiveFrom: integer('effective_from').notNull(),
    /** The pricing document it rests on, e.g. 沈发改价格〔2026〕12号. */
    basis: text('basis').notNull().default(''),
    setByUserId: text('set_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('price_ceilings_product_idx').on(t.productId, t.chargeUnit, t.effectiveFrom)],
)

/**
 * A versioned price schedule for one product, proposed by the operator and decided by the bureau. An approved book
 * is in force from `in_force_from` = max(effective_from, decided_at) until the next approved book of the product.
 */
export const priceBooks = sqliteTable(
  'price_books',
  {
    id: id(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    version: integer('version').notNull(),
    state: text('state', { enum: PRICE_BOOK_STATES }).notNull().default('pending_review'),
    /** 试行收费标准. */
    isTrial: integer('is_trial', { mode: 'boolean' }).notNull().default(false),
    effectiveFrom: integer('effective_from').notNull(),
    inForceFrom: timestamp('in_force_from'),
    /** The operator's rationale. */
    note: text('note').notNull().default(''),
    /** JSON snapshot of the derived unit costs when proposed (the cost basis the bureau reviews). */
    costBasis: text('cost_basis'),
    proposedByUserId: text('proposed_by_user_id').references(() => users.id),
    proposedAt: integer('proposed_at').notNull(),
    decidedByUserId: text('decided_by_user_id').references(() => users.id),
    decidedAt: timestamp('decided_at'),
    reviewComment: text('review_comment'),
  },
  (t) => [
    uniqueIndex('price_books_product_version_idx').on(t.productId, t.version),
    index('price_books_state_idx').on(t.state, t.productId),
  ],
)

/** One charge of a price book: a charge unit priced by a charge model with its properties (JSON, validated by zod). */
export const priceBookCharges = sqliteTable(
  'price_book_charges',
  {
    priceBookId: text('price_book_id')
      .notNull()
      .references(() => priceBooks.id),
    chargeUnit: text('charge_unit', { enum: CHARGE_UNITS }).notNull(),
    model: text('model', { enum: CHARGE_MODELS }).notNull(),
    properties: text('properties').notNull(),
  },
  (t) => [primaryKey({ columns: [t.priceBookId, t.chargeUnit] })],
)

/** The operator's cost per period and category, net of government subsidies. The latest row per (period, category) counts. */
export const costEntries = sqliteTable(
  'cost_entries',
  {
    id: id(),
    /** YYYY-MM (Asia/Shanghai calendar month). */
    period: text('period').notNull(),
    category: text('category', { enum: COST_CATEGORIES }).notNull(),
    grossFen: fen('gross_fen').notNull(),
    subsidyFen: fen('subsidy_fen').notNull().default(0),
    netFen: fen('net_fen').notNull(),
    note: text('note').notNull().default(''),
    recordedByUserId: text('recorded_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('cost_entries_period_idx').on(t.period, t.category, t.createdAt)],
)

/** A model release delivered to a partner (charge unit model_release), billed by the first close after it. */
export const modelReleases = sqliteTable(
  'model_releases',
  {
    id: id(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    purpose: text('purpose', { enum: PURPOSES }).notNull(),
    releasedAt: integer('released_at').notNull(),
    description: text('description').notNull().default(''),
    recordedByUserId: text('recorded_by_user_id').references(() => users.id),
    /** The close that billed it; null until then. */
    billedCloseId: text('billed_close_id'),
    createdAt: createdAt(),
  },
  (t) => [index('model_releases_unbilled_idx').on(t.billedCloseId, t.releasedAt)],
)

/**
 * One closed billing period. `watermark` is the highest usage_events rowid the close saw; `watermark_event_id` is
 * that event's id, so the watermark can be found again should rowids ever be renumbered (docs/decisions/0010).
 */
export const billingCloses = sqliteTable('billing_closes', {
  id: id(),
  period: text('period').notNull().unique(),
  periodStart: integer('period_start').notNull(),
  periodEnd: integer('period_end').notNull(),
  watermark: integer('watermark').notNull(),
  watermarkEventId: text('watermark_event_id'),
  previousCloseId: text('previous_close_id'),
  eventsRated: integer('events_rated').notNull(),
  lateEvents: integer('late_events').notNull(),
  unpricedEvents: integer('unpriced_events').notNull(),
  invoiceCount: integer('invoice_count').notNull(),
  closedByLabel: text('closed_by_label').notNull(),
  closedAt: integer('closed_at').notNull(),
})

/** One invoice per partner and period. Numbered (gap-free per year) when finalized; voided only by a credit note. */
export const invoices = sqliteTable(
  'invoices',
  {
    id: id(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id),
    closeId: text('close_id')
      .notNull()
      .references(() => billingCloses.id),
    period: text('period').notNull(),
    state: text('state', { enum: INVOICE_STATES }).notNull().default('draft'),
    numberYear: integer('number_year'),
    numberSeq: integer('number_seq'),
    /** e.g. SYGD-2026-000001. */
    number: text('number').unique(),
    vatRate: decimalText('vat_rate').notNull(),
    subtotalFen: fen('subtotal_fen').notNull(),
    vatFen: fen('vat_fen').notNull(),
    totalFen: fen('total_fen').notNull(),
    /** What public-interest use would have cost (Art. 21): shown, never charged. */
    waivedFen: fen('waived_fen').notNull(),
    /** Usage events the invoice covers (late ones included). */
    events: integer('events').notNull().default(0),
    createdAt: createdAt(),
    finalizedAt: timestamp('finalized_at'),
    finalizedByUserId: text('finalized_by_user_id').references(() => users.id),
    voidedAt: timestamp('voided_at'),
    /** Payment received (max-allowed-revenue tracking counts paid revenue). */
    paidAt: timestamp('paid_at'),
  },
  (t) => [
    uniqueIndex('invoices_partner_period_idx').on(t.partnerId, t.period),
    uniqueIndex('invoices_number_seq_idx').on(t.numberYear, t.numberSeq),
    index('invoices_period_idx').on(t.period),
  ],
)

export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    id: id(),
    invoiceId: text('invoice_id')
      .notNull()
      .references(() => invoices.id),
    lineNo: integer('line_no').notNull(),
    kind: text('kind', { enum: INVOICE_LINE_KINDS }).notNull(),
    subscriptionId: text('subscription_id').notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    chargeUnit: text('charge_unit', { enum: CHARGE_UNITS }).notNull(),
    purpose: text('purpose', { enum: PURPOSES }).notNull(),
    /** The month the usage happened in (an adjustment line names an earlier month). */
    usagePeriod: text('usage_period').notNull(),
    /** The time window of the price in force, [from, to). */
    windowFrom: integer('window_from').notNull(),
    windowTo: integer('window_to').notNull(),
    /** Null: no approved price was in force (rated at 0 and listed as unpriced). */
    priceBookId: text('price_book_id').references(() => priceBooks.id),
    priceBookVersion: integer('price_book_version'),
    model: text('model', { enum: CHARGE_MODELS }),
    /** JSON: the model's properties as applied (after the ceiling cap). */
    pricing: text('pricing'),
    cappedAtCeiling: integer('capped_at_ceiling', { mode: 'boolean' }).notNull().default(false),
    events: integer('events').notNull(),
    quantity: decimalText('quantity').notNull(),
    /** Fen per unit: the price for standard lines, the average (amount / quantity) for the others. */
    unitPrice: decimalText('unit_price').notNull(),
    /** The exact amount before rounding (fen, decimal text). */
    preciseFen: decimalText('precise_fen').notNull(),
    /** Rounded once, half-up; 0 for public-interest and unpriced lines. */
    amountFen: fen('amount_fen').notNull(),
    /** Public-interest lines: what it would have cost, rounded half-up. */
    waivedFen: fen('waived_fen').notNull().default(0),
    unpriced: integer('unpriced', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('invoice_lines_invoice_idx').on(t.invoiceId, t.lineNo),
    index('invoice_lines_usage_idx').on(t.subscriptionId, t.chargeUnit, t.usagePeriod),
  ],
)

/** Voids a finalized invoice in full. Numbered gap-free per year (SYGD-CN-2026-000001). */
export const creditNotes = sqliteTable(
  'credit_notes',
  {
    id: id(),
    invoiceId: text('invoice_id')
      .notNull()
      .unique()
      .references(() => invoices.id),
    numberYear: integer('number_year').notNull(),
    numberSeq: integer('number_seq').notNull(),
    number: text('number').notNull().unique(),
    reason: text('reason').notNull(),
    subtotalFen: fen('subtotal_fen').notNull(),
    vatFen: fen('vat_fen').notNull(),
    totalFen: fen('total_fen').notNull(),
    createdByUserId: text('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('credit_notes_number_seq_idx').on(t.numberYear, t.numberSeq)],
)
