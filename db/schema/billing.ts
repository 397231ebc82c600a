import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, decimalText, fen, id, timestamp } from '../columns.ts'
import { products } from './catalog.ts'
import { PURPOSES, subscriptions } from './gateway.ts'
import { partners, users } from './identity.ts'

// Billing: ceilings, price books, costs, closes, invoices and credit notes.
// Money in integer fen, unit prices as decimal strings in FEN per unit (docs/decisions/0003, 0010).
// Ceilings, price books and cost entries are versioned rows: never edited, a newer row supersedes.

/**
 * Charge units (65号; the Fujian and Guangzhou schedules). The first four are meters of `usage_events`:
 * call ↔ calls, record ↔ records, masked_field ↔ fields_masked, mb_exported ↔ export_bytes / 1,000,000,
 * compute_second ↔ compute_ms / 1,000 (sandbox jobs, ADR 0038).
 * model_release is counted from `model_releases`; service_month / service_year are periods of service (fixed fees).
 */
export const CHARGE_UNITS = [
  'call',
  'record',
  'masked_field',
  'mb_exported',
  'compute_second',
  'model_release',
  'service_month',
  'service_year',
] as const
export type ChargeUnit = (typeof CHARGE_UNITS)[number]
export const EVENT_CHARGE_UNITS = ['call', 'record', 'masked_field', 'mb_exported', 'compute_second'] as const
export type EventChargeUnit = (typeof EVENT_CHARGE_UNITS)[number]

export const CHARGE_MODELS = ['standard', 'graduated', 'package', 'fixed_fee'] as const
export type ChargeModelName = (typeof CHARGE_MODELS)[number]

/**
 * Art. 22 cost categories (infrastructure split into compute, storage and bandwidth), then the 65号 categories the
 * maximum allowed revenue also counts: staff (人员), platform construction (平台建设, amortized over the years entered
 * with it) and operations and maintenance (运维). ADR 0036.
 */
export const COST_CATEGORIES = [
  'compute',
  'storage',
  'bandwidth',
  'desensitization',
  'model_release',
  'result_export',
  'staff',
  'platform_construction',
  'operations_maintenance',
] as const
export type CostCategory = (typeof COST_CATEGORIES)[number]
/**
 * Which supply a cost serves (ADR 0036): shared costs are allocated by call volume between industrial and public-interest
 * supply; an industrial cost counts whole; a public-interest cost never enters the maximum allowed revenue.
 */
export const COST_SUPPLIES = ['shared', 'industrial', 'public_interest'] as const
export type CostSupply = (typeof COST_SUPPLIES)[number]

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
    /** When the bureau re-evaluates the ceiling (start of a Shanghai day); reminders before and at it (ADR 0036). */
    reevaluateBy: timestamp('reevaluate_by'),
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
    /** Entries before ADR 0036 were all shared (the default). */
    supply: text('supply', { enum: COST_SUPPLIES }).notNull().default('shared'),
    /** Platform construction only: the years its cost is spread over, month by month from `period` (1–20). */
    amortizationYears: integer('amortization_years'),
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

// ---- Lago mirror (docs/decisions/0012-lago-mirror-outbox.md) ----

export const LAGO_OUTBOX_STATES = ['pending', 'delivered'] as const

/**
 * One Lago event to deliver: a usage event's meter. `transaction_id` is the usage event id for its calls (every usage
 * event has one), `<id>:<meter>` for a non-zero other meter. Delivered exactly once: Lago's 422 value_already_exist on
 * a transaction id counts as delivered. `seq` is the usage event's rowid (delivery order).
 */
export const lagoOutbox = sqliteTable(
  'lago_outbox',
  {
    transactionId: text('transaction_id').primaryKey(),
    usageEventId: text('usage_event_id').notNull(),
    seq: integer('seq').notNull(),
    code: text('code').notNull(),
    externalSubscriptionId: text('external_subscription_id').notNull(),
    /** Unix seconds (milliseconds as decimals), as Lago takes it. */
    timestamp: text('timestamp').notNull(),
    /** JSON object of the event's properties. */
    properties: text('properties').notNull(),
    state: text('state', { enum: LAGO_OUTBOX_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull().default(0),
    lastError: text('last_error'),
    enqueuedAt: integer('enqueued_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    index('lago_outbox_pending_idx').on(t.state, t.nextAttemptAt, t.seq),
    index('lago_outbox_event_idx').on(t.usageEventId),
  ],
)

/** Named cursors of the Lago sync, e.g. `usage_events` = the highest usage_events rowid already put into the outbox. */
export const lagoCursors = sqliteTable('lago_cursors', {
  name: text('name').primaryKey(),
  position: integer('position').notNull(),
  /** The usage event at `position` (rowids can be renumbered by VACUUM: found again by id, like ADR 0010). */
  eventId: text('event_id'),
  updatedAt: integer('updated_at').notNull(),
})

// `subscription_end`: a subscription terminated in Lago once ours ended (cancelled at its period's end, an exit).
export const LAGO_OBJECT_KINDS = ['billable_metric', 'plan', 'customer', 'subscription', 'subscription_end'] as const

/** What has been mirrored to Lago: one row per object, with a fingerprint of what was sent (resent when it changes). */
export const lagoMirror = sqliteTable(
  'lago_mirror',
  {
    kind: text('kind', { enum: LAGO_OBJECT_KINDS }).notNull(),
    /** Our id (partner id, subscription id, price book id + purpose, meter code). */
    ourId: text('our_id').notNull(),
    lagoCode: text('lago_code').notNull(),
    fingerprint: text('fingerprint').notNull(),
    lagoId: text('lago_id'),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.ourId] })],
)

// ---- Compensation of source units (Art. 23) ----

/**
 * The bureau's compensation formula, versioned (the latest with effective_from ≤ a period's start applies):
 * amount = calls × share per call × (1 + frequency weight of the dataset's update frequency) × (1 + quality weight ×
 * quality score), per source unit and period. Decimal strings; weights as JSON objects.
 */
export const compensationFormulas = sqliteTable('compensation_formulas', {
  id: id(),
  /** Fen per call attributed to a source unit (decimal text). */
  sharePerCall: decimalText('share_per_call').notNull(),
  /** JSON: { realtime: "0.5", daily: "0.3", ... } by update frequency. */
  frequencyWeights: text('frequency_weights').notNull(),
  /** Decimal text weight of the quality score (0..1). */
  qualityWeight: decimalText('quality_weight').notNull(),
  effectiveFrom: integer('effective_from').notNull(),
  note: text('note').notNull().default(''),
  setByUserId: text('set_by_user_id').references(() => users.id),
  createdAt: createdAt(),
})

/** A source unit's compensation for one period (YYYY-MM), computed from usage events' source_unit_codes. */
export const compensationStatements = sqliteTable(
  'compensation_statements',
  {
    id: id(),
    period: text('period').notNull(),
    sourceUnitId: text('source_unit_id').notNull(),
    formulaId: text('formula_id').notNull(),
    calls: integer('calls').notNull(),
    amountFen: fen('amount_fen').notNull(),
    preciseFen: decimalText('precise_fen').notNull(),
    /** JSON lines per dataset: calls, frequency, weights, amount. */
    detail: text('detail').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('compensation_statements_period_unit_idx').on(t.period, t.sourceUnitId)],
)

// ---- Maximum allowed revenue (65号) ----

/** The bureau's allowed profit rate and tax rate for a year (decimal text, e.g. "0.0785"); the latest row counts. */
export const revenueCapSettings = sqliteTable(
  'revenue_cap_settings',
  {
    id: id(),
    year: integer('year').notNull(),
    profitRate: decimalText('profit_rate').notNull(),
    taxRate: decimalText('tax_rate').notNull(),
    note: text('note').notNull().default(''),
    setByUserId: text('set_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('revenue_cap_settings_year_idx').on(t.year, t.createdAt)],
)

/**
 * A crossing of 80% or 100% of a year's maximum allowed revenue (ADR 0036): one open row per year and threshold, so the
 * operator and the bureau are told once per crossing; cleared when the use falls back below (a raised cap), re-armed.
 */
export const revenueCapAlerts = sqliteTable(
  'revenue_cap_alerts',
  {
    id: id(),
    year: integer('year').notNull(),
    /** 80 or 100 (percent of the maximum). */
    threshold: integer('threshold').notNull(),
    usedShare: decimalText('used_share').notNull(),
    crossedAt: integer('crossed_at').notNull(),
    clearedAt: timestamp('cleared_at'),
  },
  (t) => [
    uniqueIndex('revenue_cap_alerts_open_idx')
      .on(t.year, t.threshold)
      .where(sql`cleared_at IS NULL`),
  ],
)

/** A re-evaluation reminder sent to the bureau for one ceiling version: once 30 days before, once when due. */
export const ceilingReminders = sqliteTable(
  'ceiling_reminders',
  {
    ceilingId: text('ceiling_id')
      .notNull()
      .references(() => priceCeilings.id),
    stage: text('stage', { enum: ['approaching', 'due'] }).notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ceilingId, t.stage] })],
)
