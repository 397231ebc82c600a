import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The permits of a plan's rate limit and monthly quota that gateway processes have drawn (ADR 0043). One row per
 * subscription and period: `kind` 'rate' with `period` an epoch second (the sliding minute is the sum of the last 60
 * rows), 'quota' with `period` the Shanghai month's start (ms). A process draws a small batch of permits in one
 * statement (never more than the plan leaves) and hands back what it did not use; `granted`/`taken_before` are what the
 * last draw granted and what was taken before it, returned by the drawing statement itself.
 */
export const gatewayLimitLedger = sqliteTable(
  'gateway_limit_ledger',
  {
    kind: text('kind', { enum: ['rate', 'quota'] }).notNull(),
    subscriptionId: text('subscription_id').notNull(),
    period: integer('period').notNull(),
    taken: integer('taken').notNull(),
    granted: integer('granted').notNull().default(0),
    takenBefore: integer('taken_before').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subscriptionId, t.period] })],
)

/**
 * The distinct subjects (keyed hashes, as in usage_events.subject_hash) a subscription has been admitted for on a
 * Shanghai day (`day` = the day's start, ms), shared by every gateway process (ADR 0043). A subject is added in one
 * statement only while the day holds fewer than the plan allows; rows of past days are deleted.
 */
export const gatewaySubjectDays = sqliteTable(
  'gateway_subject_days',
  {
    subscriptionId: text('subscription_id').notNull(),
    day: integer('day').notNull(),
    subjectHash: text('subject_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.day, t.subjectHash] })],
)
