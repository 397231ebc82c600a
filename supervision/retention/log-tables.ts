// Every log table of the platform (Art. 17, 24; ADR 0027), for the retention test and the purge. A table listed here
// must carry a BEFORE UPDATE trigger and a BEFORE DELETE trigger that RAISE (test/integration/log-retention.test.ts
// checks the live schema). A new log table is added here by the helper that creates it, with its triggers in its own
// custom migration, following one of two templates:
//
// Kept for good (no purge), e.g. a timeline:
//   CREATE TRIGGER `<t>_no_update` BEFORE UPDATE ON `<t>` BEGIN SELECT RAISE(ABORT, 'log_retention: …'); END;
//   CREATE TRIGGER `<t>_no_delete` BEFORE DELETE ON `<t>` BEGIN SELECT RAISE(ABORT, 'log_retention: …'); END;
//
// Purgeable after the legal minimum (a `kind` below): a view `log_retention_<t>` (row_id, at, anchor) — `anchor` the
// later of the event and the ends of what it concerns, null while an agreement is in force — and
//   CREATE TRIGGER `<t>_retention` BEFORE DELETE ON `<t>`
//   WHEN coalesce((SELECT `anchor` FROM `log_retention_<t>` WHERE `row_id` = old.rowid), 9223372036854775807)
//     >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
//   BEGIN SELECT RAISE(ABORT, 'log_retention: …'); END;
// (db/migrations/0015_log_retention_art17.sql has the views and triggers of the tables below).

/** The kinds a bureau policy (log_retention_policies) and a purge name. */
export const LOG_KINDS = ['usage', 'refusals', 'loads', 'demand_transitions', 'feed'] as const
export type LogKind = (typeof LOG_KINDS)[number]

export interface LogTable {
  /** The SQL table. */
  table: string
  /** The purge kind it belongs to; null: never deleted (append-only for good). */
  kind: LogKind | null
}

export const LOG_TABLES: readonly LogTable[] = [
  // The audit chain (ADR 0001): never deleted, since a removed entry would break every later hash.
  { table: 'audit_log', kind: null },
  // usage_events is a view since ADR 0047: its rows live in usage_event_log, its dictionary is kept for good.
  { table: 'usage_event_log', kind: 'usage' },
  { table: 'usage_event_contexts', kind: null },
  { table: 'rejected_calls', kind: 'refusals' },
  { table: 'rejected_call_buckets', kind: 'refusals' },
  { table: 'dataset_loads', kind: 'loads' },
  { table: 'demand_item_transitions', kind: 'demand_transitions' },
  { table: 'supervision_feed_records', kind: 'feed' },
  // Supervision timelines (issue 11): append-only for good.
  { table: 'case_events', kind: null },
  { table: 'incident_entries', kind: null },
  { table: 'credit_records', kind: null },
  // Partner exit (issue 12): what was destroyed, append-only for good.
  { table: 'destruction_records', kind: null },
]

/** The tables a purge of `kind` deletes from. */
export function tablesOfKind(kind: LogKind): string[] {
  return LOG_TABLES.filter((t) => t.kind === kind).map((t) => t.table)
}

/** Retention never goes below 6 calendar months (Art. 17). */
export const LEGAL_MINIMUM_MONTHS = 6
/** A policy longer than this is a typo, not a policy (100 years). */
export const MAX_KEEP_MONTHS = 1200
