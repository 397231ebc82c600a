import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { users } from './identity.ts'

// Incidents and emergency (Art. 13): the incident register, the emergency stop, emergency plans and drills.
export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export const INCIDENT_ENTRY_KINDS = ['opened', 'note', 'action', 'closed'] as const

export const incidents = sqliteTable(
  'incidents',
  {
    id: id(),
    /** SJ-2026-0001 */
    code: text('code').notNull().unique(),
    title: text('title').notNull(),
    severity: text('severity', { enum: INCIDENT_SEVERITIES }).notNull(),
    state: text('state', { enum: ['open', 'closed'] }).notNull(),
    /** What is affected: JSON `{ products: string[], datasets: string[], partners: string[], platform: boolean }`. */
    affected: text('affected').notNull(),
    openedAt: timestamp('opened_at').notNull(),
    openedByUserId: text('opened_by_user_id').references(() => users.id),
    openedByLabel: text('opened_by_label').notNull(),
    closedAt: timestamp('closed_at'),
    closedByLabel: text('closed_by_label'),
    closureSummary: text('closure_summary'),
    createdAt: createdAt(),
  },
  (t) => [index('incidents_state_idx').on(t.state)],
)

/** The incident's timeline: append-only (a trigger refuses UPDATE and DELETE). */
export const incidentEntries = sqliteTable(
  'incident_entries',
  {
    id: id(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id),
    kind: text('kind', { enum: INCIDENT_ENTRY_KINDS }).notNull(),
    /** When it happened (may be earlier than when it was written down). */
    at: timestamp('at').notNull(),
    text: text('text').notNull(),
    actorUserId: text('actor_user_id').references(() => users.id),
    actorLabel: text('actor_label').notNull(),
    actorRole: text('actor_role').notNull(),
    recordedAt: timestamp('recorded_at').notNull(),
  },
  (t) => [index('incident_entries_incident_idx').on(t.incidentId)],
)

/**
 * An emergency stop in force while `resumedAt` is null. One stop action writes one row per stopped product (all rows
 * share `actionId`), or one row with `productCode` null for every metered product. Every gateway process reads the
 * rows in force through its 500 ms cache (gateway/access/load-emergency-stop.ts).
 */
export const emergencyStops = sqliteTable(
  'emergency_stops',
  {
    id: id(),
    actionId: text('action_id').notNull(),
    /** null: every metered product. */
    productCode: text('product_code'),
    reason: text('reason').notNull(),
    stoppedAt: timestamp('stopped_at').notNull(),
    stoppedByUserId: text('stopped_by_user_id').references(() => users.id),
    stoppedByLabel: text('stopped_by_label').notNull(),
    stoppedByRole: text('stopped_by_role').notNull(),
    /** The drill that ran this stop, if it was one. */
    drillId: text('drill_id'),
    resumedAt: timestamp('resumed_at'),
    resumedByLabel: text('resumed_by_label'),
    resumeReason: text('resume_reason'),
  },
  (t) => [index('emergency_stops_active_idx').on(t.resumedAt)],
)

/** Emergency plans (Art. 13): every save is a new version; earlier versions stay as the history. */
export const emergencyPlans = sqliteTable(
  'emergency_plans',
  {
    id: id(),
    /** The plan's stable code (EP-…); versions of one plan share it. */
    code: text('code').notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    savedByUserId: text('saved_by_user_id').references(() => users.id),
    savedByLabel: text('saved_by_label').notNull(),
    savedAt: timestamp('saved_at').notNull(),
  },
  (t) => [uniqueIndex('emergency_plans_code_version_idx').on(t.code, t.version)],
)

/** Emergency drills: when, what scope, the outcome; a stop drill also carries its measured timings. */
export const drills = sqliteTable('drills', {
  id: id(),
  kind: text('kind', { enum: ['exercise', 'stop_drill'] }).notNull(),
  heldAt: timestamp('held_at').notNull(),
  scope: text('scope').notNull(),
  outcome: text('outcome').notNull(),
  planCode: text('plan_code'),
  planVersion: integer('plan_version'),
  /** A stop drill: the product stopped and resumed, and the times measured. */
  productCode: text('product_code'),
  stoppedAt: timestamp('stopped_at'),
  stopSeenAt: timestamp('stop_seen_at'),
  resumedAt: timestamp('resumed_at'),
  recordedByUserId: text('recorded_by_user_id').references(() => users.id),
  recordedByLabel: text('recorded_by_label').notNull(),
  createdAt: createdAt(),
})
