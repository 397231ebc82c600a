import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The log feed to Shenyang's government data sharing and exchange platform (Art. 24, 8; ADR 0025). The platform's
 * log tables stay the truth; an enqueue step copies their new rows past a cursor per source into this outbox, in
 * order, each with the feed's sequence number and an idempotency key derived from the source row's identity. Delivery
 * sends the records in batches strictly in `seq` order; `supervision_feed_state.delivered_seq` says how far.
 */
export const SUPERVISION_FEED_KINDS = [
  'usage_event',
  'rejected_call',
  'rejected_call_bucket',
  'audit_entry',
  'dataset_load',
] as const
export type SupervisionFeedKind = (typeof SUPERVISION_FEED_KINDS)[number]

export const supervisionFeedRecords = sqliteTable(
  'supervision_feed_records',
  {
    /** The feed's sequence number: ascending without gaps in enqueue order, never reused (AUTOINCREMENT). */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: SUPERVISION_FEED_KINDS }).notNull(),
    /** `<kind>:<source identity>`: the same source row always gives the same key, so a resend is recognisable. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** When the logged event happened (ms since the epoch). */
    occurredAt: integer('occurred_at').notNull(),
    /** The record's payload as JSON text, built once at enqueue (so every resend carries the same bytes). */
    payload: text('payload').notNull(),
    enqueuedAt: integer('enqueued_at').notNull(),
  },
  (t) => [index('supervision_feed_records_occurred_idx').on(t.occurredAt)],
)

/**
 * Per source log table, how far the enqueue step has copied: the rowid (`position`) and the source row's own id at
 * that position (rowids of tables with a text key can be renumbered by VACUUM: found again by id). For
 * `rejected_call_buckets` the position is the last closed minute copied.
 */
export const supervisionFeedCursors = sqliteTable('supervision_feed_cursors', {
  source: text('source').primaryKey(),
  position: integer('position').notNull(),
  sourceId: text('source_id'),
  updatedAt: integer('updated_at').notNull(),
})

/** The delivery side: one row (`id` = 'feed'). */
export const supervisionFeedState = sqliteTable('supervision_feed_state', {
  id: text('id').primaryKey(),
  /** Every record with seq ≤ this was accepted by the exchange platform. */
  deliveredSeq: integer('delivered_seq').notNull().default(0),
  lastSuccessAt: integer('last_success_at'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  lastError: text('last_error'),
  lastFailureAt: integer('last_failure_at'),
  /** No delivery before this (backoff after a failure). */
  nextAttemptAt: integer('next_attempt_at').notNull().default(0),
  /** What the receiver last warned about in an accepted answer (e.g. the audit head went backwards). */
  lastWarning: text('last_warning'),
  updatedAt: integer('updated_at').notNull(),
})

export const SUPERVISION_FEED_BATCH_STATES = ['pending', 'delivered'] as const

/**
 * Every batch the platform formed: its records (first..last seq), and each attempt's outcome. A retry sends the same
 * batch id and records again, re-signed, with the audit head at the time of that attempt.
 */
export const supervisionFeedBatches = sqliteTable(
  'supervision_feed_batches',
  {
    id: text('id').primaryKey(),
    firstSeq: integer('first_seq').notNull(),
    lastSeq: integer('last_seq').notNull(),
    records: integer('records').notNull(),
    bytes: integer('bytes').notNull(),
    state: text('state', { enum: SUPERVISION_FEED_BATCH_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** The audit chain's head sent with the last attempt. */
    auditHeadSeq: integer('audit_head_seq').notNull(),
    auditHeadHash: text('audit_head_hash').notNull(),
    /** HTTP status of the last answer; null after a network error or timeout. */
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    lastAttemptAt: integer('last_attempt_at'),
    deliveredAt: integer('delivered_at'),
    duplicates: integer('duplicates').notNull().default(0),
  },
  (t) => [index('supervision_feed_batches_created_idx').on(t.createdAt)],
)
