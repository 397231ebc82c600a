import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'
import { createdAt, fen, id, timestamp } from '../columns.ts'
import { partners, users } from './identity.ts'

// Partner exit (Art. 12(4)) and the concentration watch (Art. 12(5));
// docs/decisions/0033-partner-exit-and-concentration.md.

/** The five kinds of Art. 12(4): 主动退出, 违约退出, 考核退出, 资质变更退出, 不良信用退出. */
export const EXIT_KINDS = ['voluntary', 'breach', 'assessment', 'qualification', 'credit'] as const
export type ExitKind = (typeof EXIT_KINDS)[number]

/** noticed (the partner is told, keys still work) → executed (at the exit date) or withdrawn before it. */
export const EXIT_STATES = ['noticed', 'executed', 'withdrawn'] as const
export type ExitState = (typeof EXIT_STATES)[number]

export const partnerExits = sqliteTable(
  'partner_exits',
  {
    id: id(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id),
    kind: text('kind', { enum: EXIT_KINDS }).notNull(),
    state: text('state', { enum: EXIT_STATES }).notNull().default('noticed'),
    reason: text('reason').notNull(),
    /** What the exit rests on: a case code (breach), a credit record code (credit), an evaluation reference. */
    sourceRef: text('source_ref'),
    noticeAt: timestamp('notice_at').notNull(),
    exitAt: timestamp('exit_at').notNull(),
    executedAt: timestamp('executed_at'),
    startedByUserId: text('started_by_user_id').references(() => users.id),
    startedByLabel: text('started_by_label').notNull(),
    executedByLabel: text('executed_by_label'),
    /** Withdrawn before the exit date (the cause was cured, or a mistake): when, by whom, why. */
    withdrawnAt: timestamp('withdrawn_at'),
    withdrawnByLabel: text('withdrawn_by_label'),
    withdrawReason: text('withdraw_reason'),
    /** TC-<year>-<NNNN> (退出), given at execution: the number on the exit certificate. */
    certificateNumber: text('certificate_number').unique(),
    /** The final (partial-period) draft invoice: its period, total and the whole invoice view as JSON. */
    finalInvoicePeriod: text('final_invoice_period'),
    finalInvoiceTotalFen: fen('final_invoice_total_fen'),
    finalInvoice: text('final_invoice'),
    /** JSON: what the execution ended and deleted (subscriptions, keys, exports, bytes, credit record). */
    outcome: text('outcome'),
    createdAt: createdAt(),
  },
  (t) => [
    index('partner_exits_partner_idx').on(t.partnerId, t.createdAt),
    index('partner_exits_due_idx').on(t.state, t.exitAt),
    // At most one exit under way per partner.
    uniqueIndex('partner_exits_open_idx')
      .on(t.partnerId)
      .where(sql`state = 'noticed'`),
  ],
)

/**
 * What was destroyed, how much, when and by whom (Art. 17 spirit: deletion is evidenced). Append-only: triggers refuse
 * UPDATE and DELETE (migration 00xx_exit_triggers).
 */
export const destructionRecords = sqliteTable(
  'destruction_records',
  {
    id: id(),
    exitId: text('exit_id').references(() => partnerExits.id),
    partnerId: text('partner_id').references(() => partners.id),
    /** e.g. `report_export_content`. */
    what: text('what').notNull(),
    count: integer('count').notNull(),
    bytes: integer('bytes').notNull(),
    /** JSON: the ids destroyed. */
    detail: text('detail'),
    at: timestamp('at').notNull(),
    byUserId: text('by_user_id').references(() => users.id),
    byLabel: text('by_label').notNull(),
  },
  (t) => [index('destruction_records_partner_idx').on(t.partnerId, t.at)],
)

/** The bureau's HHI threshold, one row per setting (the latest counts): the history is the audit of the setting. */
export const concentrationSettings = sqliteTable('concentration_settings', {
  id: id(),
  /** 0–10,000. */
  hhiThreshold: integer('hhi_threshold').notNull(),
  setAt: timestamp('set_at').notNull(),
  setByUserId: text('set_by_user_id').references(() => users.id),
  setByLabel: text('set_by_label').notNull(),
})

/**
 * The bureau's rule of when an exited partner may apply again: months from the exit date per kind, one row per setting
 * (the latest counts; ADR 0033). JSON `{ voluntary, breach, assessment, qualification, credit }`.
 */
export const reapplyRuleSettings = sqliteTable('reapply_rule_settings', {
  id: id(),
  monthsByKind: text('months_by_kind').notNull(),
  setAt: timestamp('set_at').notNull(),
  setByUserId: text('set_by_user_id').references(() => users.id),
  setByLabel: text('set_by_label').notNull(),
})
