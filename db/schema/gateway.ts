import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { products } from './catalog.ts'
import { partners, users } from './identity.ts'

export const PURPOSES = ['industrial', 'public_interest'] as const

/**
 * A plan gives a subscription its rate limit and monthly quota. Plans are versioned (ADR 0032): a version some
 * subscription is on is never changed in place; the operator adds version + 1 of the same code, and a subscription
 * moves to it only by a plan change.
 */
export const plans = sqliteTable(
  'plans',
  {
    code: text('code').notNull(),
    version: integer('version').notNull().default(1),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    /** Calls per subscription per minute (sliding window), shared by all of the partner's keys. */
    rateLimitPerMinute: integer('rate_limit_per_minute').notNull(),
    /** Answered calls per subscription per calendar month (Asia/Shanghai); null = unlimited. */
    monthlyQuota: integer('monthly_quota'),
    /** Verification products: distinct subjects per subscription per day (anti-enumeration, Art. 13). */
    distinctSubjectsPerDay: integer('distinct_subjects_per_day').notNull().default(1000),
    /** Active (unrevoked, unexpired) API keys a partner may hold for a subscription on this plan. */
    maxActiveKeys: integer('max_active_keys').notNull().default(5),
    /** A change to this plan may take effect at once; otherwise from the next billing period (month). */
    allowsImmediateChange: integer('allows_immediate_change', { mode: 'boolean' }).notNull().default(false),
    createdByUserId: text('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.code, t.version] })],
)

export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: id(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    // Art. 21: public-interest use is free once the bureau approves it; industrial use is paid.
    purpose: text('purpose', { enum: PURPOSES }).notNull(),
    purposeStatement: text('purpose_statement'),
    state: text('state', { enum: ['pending', 'active', 'rejected', 'ended'] }).notNull(),
    planCode: text('plan_code').notNull().default('standard'),
    planVersion: integer('plan_version').notNull().default(1),
    /** The application scenario (应用场景, ADR 0032): what the partner does with the product, and how much. */
    scenario: text('scenario'),
    expectedMonthlyVolume: integer('expected_monthly_volume'),
    /** A plan change from the next billing period: the plan (code, version) and when it takes over. */
    nextPlanCode: text('next_plan_code'),
    nextPlanVersion: integer('next_plan_version'),
    planChangesAt: timestamp('plan_changes_at'),
    /** A cancellation: the subscription answers until `endsAt` (the end of the period it was cancelled in). */
    cancelledAt: timestamp('cancelled_at'),
    endsAt: timestamp('ends_at'),
    createdByUserId: text('created_by_user_id').references(() => users.id),
    /** The bureau's decision on a public-interest purpose. */
    decidedByUserId: text('decided_by_user_id').references(() => users.id),
    decidedAt: timestamp('decided_at'),
    decisionComment: text('decision_comment'),
    endedAt: timestamp('ended_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('subscriptions_partner_idx').on(t.partnerId),
    // One live subscription per partner, product and purpose (ADR 0032): an industrial and a public-interest one may
    // stand side by side under their own scenarios.
    uniqueIndex('subscriptions_live_purpose_idx')
      .on(t.partnerId, t.productId, t.purpose)
      .where(sql`state in ('pending', 'active')`),
  ],
)

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: id(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id),
    name: text('name').notNull(),
    /** The subscription the key serves (ADR 0032); null = a partner-wide key of before scenarios. */
    subscriptionId: text('subscription_id'),
    // SHA-256 of the whole key (docs/decisions/0005-api-key-format-and-hash.md); the key itself is shown once.
    keyHash: text('key_hash').notNull().unique(),
    displayPrefix: text('display_prefix').notNull(),
    createdByUserId: text('created_by_user_id').references(() => users.id),
    expiresAt: timestamp('expires_at'),
    revokedAt: timestamp('revoked_at'),
    revokedReason: text('revoked_reason'),
    /** Set when the key was rolled: the successor; the old key stays valid until its expiresAt (the grace period). */
    replacedByKeyId: text('replaced_by_key_id'),
    /** Comma-separated CIDRs; null = any address. */
    ipAllowlist: text('ip_allowlist'),
    lastUsedAt: timestamp('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('api_keys_partner_idx').on(t.partnerId)],
)

/**
 * One row per answered call, committed before the response is sent. The id is
 * unique and later becomes Lago's transaction_id, so a retry can never bill twice.
 * The meters are the quantities Art. 22 prices.
 */
export const usageEvents = sqliteTable(
  'usage_events',
  {
    id: text('id').primaryKey(),
    at: integer('at').notNull(),
    requestId: text('request_id').notNull(),
    apiKeyId: text('api_key_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    partnerId: text('partner_id').notNull(),
    productId: text('product_id').notNull(),
    purpose: text('purpose', { enum: PURPOSES }).notNull(),
    operation: text('operation').notNull(),
    status: integer('status').notNull(),
    // Lineage (Art. 8): the datasets and source units the answer drew on, comma-separated codes.
    datasetCodes: text('dataset_codes').notNull().default(''),
    sourceUnitCodes: text('source_unit_codes').notNull().default(''),
    authorizationCodes: text('authorization_codes').notNull().default(''),
    /** Keyed hash of the verified subject (verification products), for the distinct-subjects limit. */
    subjectHash: text('subject_hash'),
    calls: integer('calls').notNull().default(1),
    records: integer('records').notNull().default(0),
    fieldsMasked: integer('fields_masked').notNull().default(0),
    bytesOut: integer('bytes_out').notNull().default(0),
    computeMs: integer('compute_ms').notNull().default(0),
    exportBytes: integer('export_bytes').notNull().default(0),
  },
  // A VIEW since issue 15 (ADR 0047): compact rows in usage_event_log + usage_event_contexts (db/schema/usage-events.ts),
  // decoded here column by column; INSTEAD OF triggers take inserts and the retention purge's deletes. Its indexes
  // live on usage_event_log. Drizzle knows it as a table so that every reader and fixture keeps working unchanged.
)

/** Calls the gateway refused: logged for supervision (Art. 24), never billed. */
export const rejectedCalls = sqliteTable(
  'rejected_calls',
  {
    id: id(),
    at: integer('at').notNull(),
    requestId: text('request_id').notNull(),
    apiKeyId: text('api_key_id'),
    keyPrefix: text('key_prefix'),
    operation: text('operation').notNull(),
    status: integer('status').notNull(),
    code: text('code').notNull(),
    clientIp: text('client_ip'),
  },
  (t) => [
    index('rejected_calls_at_idx').on(t.at),
    // Log search (supervision/logs, ADR 0026): by request id, and a partner's refusals through its keys.
    index('rejected_calls_request_idx').on(t.requestId),
    index('rejected_calls_key_at_idx').on(t.apiKeyId, t.at),
  ],
)

/**
 * Refusals that carry no valid key (scanners, guessed keys, malformed requests) are counted, not logged one row each:
 * per minute (UTC), error code and source-address prefix (IPv4 /24, IPv6 /48). A flood of anonymous
 * noise grows one row per minute, code and prefix, not one per request (ADR 0014; docs/SECURITY.md).
 */
export const rejectedCallBuckets = sqliteTable(
  'rejected_call_buckets',
  {
    /** Start of the minute, ms since the epoch. */
    minute: integer('minute').notNull(),
    code: text('code').notNull(),
    status: integer('status').notNull(),
    /** `203.0.113.0/24`, `2001:db8:1::/48`, or `unknown`. */
    addressPrefix: text('address_prefix').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.minute, t.code, t.addressPrefix] })],
)

/** Report products (数据报告): exports run as jobs; the download is metered as export_bytes. */
export const reportExports = sqliteTable(
  'report_exports',
  {
    id: id(),
    partnerId: text('partner_id').notNull(),
    apiKeyId: text('api_key_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    productId: text('product_id').notNull(),
    params: text('params').notNull(),
    format: text('format', { enum: ['pdf', 'csv'] }).notNull(),
    state: text('state', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
    progress: integer('progress').notNull().default(0),
    bytes: integer('bytes'),
    content: blob('content', { mode: 'buffer' }),
    error: text('error'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at'),
    downloads: integer('downloads').notNull().default(0),
  },
  (t) => [
    index('report_exports_partner_idx').on(t.partnerId, t.createdAt),
    // Log search (supervision/logs, ADR 0026): by time, and by product.
    index('report_exports_created_idx').on(t.createdAt),
    index('report_exports_product_idx').on(t.productId, t.createdAt),
  ],
)
