import { sql } from 'drizzle-orm'
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Compact usage events (issue 15, ADR 0047). What repeats from call to call (key, subscription, partner, product,
 * purpose, operation, status, lineage codes) is one row of `usage_event_contexts`, and an event carries its small
 * integer id. `usage_events` (db/schema/gateway.ts) is a VIEW over these two tables that decodes every column as it
 * was, with INSTEAD OF triggers for INSERT (dictionary on first sight), DELETE (the retention purge) and UPDATE
 * (refused): readers and tests keep using `usageEvents`; the gateway's group commit inserts compact rows directly.
 */
export const usageEventContexts = sqliteTable(
  'usage_event_contexts',
  {
    id: integer('id').primaryKey(),
    apiKeyId: text('api_key_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    partnerId: text('partner_id').notNull(),
    productId: text('product_id').notNull(),
    purpose: text('purpose').notNull(),
    operation: text('operation').notNull(),
    status: integer('status').notNull(),
    datasetCodes: text('dataset_codes').notNull(),
    sourceUnitCodes: text('source_unit_codes').notNull(),
    authorizationCodes: text('authorization_codes').notNull(),
  },
  (t) => [
    uniqueIndex('usage_event_contexts_all_idx').on(
      t.apiKeyId,
      t.subscriptionId,
      t.partnerId,
      t.productId,
      t.purpose,
      t.operation,
      t.status,
      t.datasetCodes,
      t.sourceUnitCodes,
      t.authorizationCodes,
    ),
    index('usage_event_contexts_subscription_idx').on(t.subscriptionId),
    index('usage_event_contexts_partner_idx').on(t.partnerId),
    index('usage_event_contexts_product_idx').on(t.productId),
  ],
)

/**
 * One row per answered call, committed before the response is sent (ADR 0002). `seq` is the rowid every watermark
 * counts in (billing close, Lago outbox, supervision feed, rollups). `request_key` is the request id's 128 bits as a
 * 16-byte BLOB when it has the gateway's form (`req_` + 32 hex digits), else the text as given. The event id is
 * `lower(hex(request_key))` (the same bits: one event per request), or `legacy_id` when it is anything else (events of
 * before this table, test fixtures). `subject` is the subject hash's 32 bytes (64 hex digits), else the text as given.
 */
export const usageEventLog = sqliteTable(
  'usage_event_log',
  {
    seq: integer('seq').primaryKey(),
    ctx: integer('ctx').notNull(),
    at: integer('at').notNull(),
    requestKey: blob('request_key').notNull(),
    legacyId: text('legacy_id'),
    subject: blob('subject'),
    calls: integer('calls').notNull().default(1),
    records: integer('records').notNull().default(0),
    fieldsMasked: integer('fields_masked').notNull().default(0),
    bytesOut: integer('bytes_out').notNull().default(0),
    computeMs: integer('compute_ms').notNull().default(0),
    exportBytes: integer('export_bytes').notNull().default(0),
  },
  (t) => [
    index('usage_event_log_at_idx').on(t.at),
    index('usage_event_log_ctx_at_idx').on(t.ctx, t.at),
    // The request id's lookup and the derived event id's uniqueness in one index.
    uniqueIndex('usage_event_log_request_idx').on(t.requestKey, sql`ifnull(${sql.identifier('legacy_id')}, '')`),
    uniqueIndex('usage_event_log_legacy_idx')
      .on(t.legacyId)
      .where(sql`${sql.identifier('legacy_id')} IS NOT NULL`),
  ],
)

/**
 * Usage of the month in progress rolled up per hour (Shanghai calendar hour start, epoch ms) and context (so per
 * subscription, product, purpose, key, operation and status), kept up to date off the hot path from the
 * `usage_event_log.seq` watermark in `usage_rollup_state` (billing/metering/roll-up-usage.ts).
 */
export const usageHourlyRollups = sqliteTable(
  'usage_hourly_rollups',
  {
    hour: integer('hour').notNull(),
    ctx: integer('ctx').notNull(),
    events: integer('events').notNull(),
    calls: integer('calls').notNull(),
    records: integer('records').notNull(),
    fieldsMasked: integer('fields_masked').notNull(),
    bytesOut: integer('bytes_out').notNull(),
    computeMs: integer('compute_ms').notNull(),
    exportBytes: integer('export_bytes').notNull(),
  },
  (t) => [uniqueIndex('usage_hourly_rollups_key_idx').on(t.hour, t.ctx)],
)

/** One row: the highest `usage_event_log.seq` already counted in `usage_hourly_rollups`. */
export const usageRollupState = sqliteTable('usage_rollup_state', {
  id: integer('id').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** The same per Shanghai calendar day (day start, epoch ms): what month-long readers sum (30 rows per context). */
export const usageDailyRollups = sqliteTable(
  'usage_daily_rollups',
  {
    day: integer('day').notNull(),
    ctx: integer('ctx').notNull(),
    events: integer('events').notNull(),
    calls: integer('calls').notNull(),
    records: integer('records').notNull(),
    fieldsMasked: integer('fields_masked').notNull(),
    bytesOut: integer('bytes_out').notNull(),
    computeMs: integer('compute_ms').notNull(),
    exportBytes: integer('export_bytes').notNull(),
  },
  (t) => [uniqueIndex('usage_daily_rollups_key_idx').on(t.day, t.ctx)],
)

/**
 * Events the rollup job saw after their calendar month had ended (rare: a close's late events). The billing preview's
 * late pass reads these seqs instead of scanning every rowid since the last close.
 */
export const usageLateEvents = sqliteTable('usage_late_events', {
  seq: integer('seq').primaryKey(),
})
