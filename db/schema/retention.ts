import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { id } from '../columns.ts'
import { users } from './identity.ts'

// Log retention (Art. 17; docs/decisions/0027-log-retention-art-17.md). The legal minimum is held by triggers on every
// log table (migration `*_log_retention_art17.sql`); these tables carry the bureau's longer policy and the clock the
// triggers compare against.

/**
 * The bureau's retention policy per log kind: versioned rows, never edited; the latest row of a kind is in force.
 * `keep_months` ≥ 6 (the legal minimum). A kind without a row is never purged.
 */
export const logRetentionPolicies = sqliteTable(
  'log_retention_policies',
  {
    id: id(),
    /** A purge kind of supervision/retention/log-tables.ts (`usage`, `refusals`, `loads`, …). */
    kind: text('kind').notNull(),
    keepMonths: integer('keep_months').notNull(),
    note: text('note').notNull().default(''),
    setByUserId: text('set_by_user_id').references(() => users.id),
    setByLabel: text('set_by_label').notNull(),
    setAt: integer('set_at').notNull(),
  },
  (t) => [index('log_retention_policies_kind_idx').on(t.kind, t.setAt)],
)

/**
 * The instant the retention triggers take as "now" (epoch ms), or no row: the database's real time. A purge sets it
 * and removes it within its own transaction, so no other connection ever sees it; a trigger refuses any value later
 * than the real time, so the clock can make retention stricter, never shorter.
 */
export const retentionClock = sqliteTable('retention_clock', {
  id: integer('id').primaryKey(),
  nowMs: integer('now_ms').notNull(),
})
