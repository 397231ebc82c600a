import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Append-only, hash-chained audit trail (Art. 8, 24). `seq` is assigned by the
 * writer as last seq + 1 and is the primary key, so two writers racing for the
 * same position cannot both succeed: the loser re-reads the tail and retries.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey(),
    at: integer('at').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    role: text('role').notNull(),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    requestId: text('request_id'),
    detail: text('detail'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // Log search (supervision/logs, ADR 0026): by time, by request id, by the object an entry is about.
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_request_idx').on(t.requestId),
    index('audit_log_object_idx').on(t.objectId, t.at),
  ],
)
