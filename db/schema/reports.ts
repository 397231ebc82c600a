import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { users } from './identity.ts'

// Operation reports to the bureau (Art. 25; docs/decisions/0035-operation-reports.md).

export const OPERATION_REPORT_KINDS = ['quarterly', 'annual'] as const
export type OperationReportKind = (typeof OPERATION_REPORT_KINDS)[number]

/**
 * A version: draft (the operator regenerates figures and edits the narrative) → submitted → acknowledged, or returned
 * with the bureau's comment; a returned version stays as it was, and the operator's revision is the next version.
 */
export const OPERATION_REPORT_VERSION_STATES = ['draft', 'submitted', 'returned', 'acknowledged'] as const
export type OperationReportVersionState = (typeof OPERATION_REPORT_VERSION_STATES)[number]

/** One report per period (`2026-Q3`, `2026`): the period is its name. */
export const operationReports = sqliteTable('operation_reports', {
  id: id(),
  period: text('period').notNull().unique(),
  kind: text('kind', { enum: OPERATION_REPORT_KINDS }).notNull(),
  /** [periodStart, periodEnd): the Asia/Shanghai calendar bounds. */
  periodStart: integer('period_start').notNull(),
  periodEnd: integer('period_end').notNull(),
  /** The newest version's number and state, kept beside the versions for the lists. */
  latestVersion: integer('latest_version').notNull().default(1),
  state: text('state', { enum: OPERATION_REPORT_VERSION_STATES }).notNull().default('draft'),
  createdByUserId: text('created_by_user_id').references(() => users.id),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
})

export const operationReportVersions = sqliteTable(
  'operation_report_versions',
  {
    id: id(),
    reportId: text('report_id')
      .notNull()
      .references(() => operationReports.id),
    version: integer('version').notNull(),
    state: text('state', { enum: OPERATION_REPORT_VERSION_STATES }).notNull().default('draft'),
    /** JSON: the figures as computed at `generatedAt` (reporting/figures/), frozen once submitted. */
    figures: text('figures').notNull(),
    generatedAt: integer('generated_at').notNull(),
    /** JSON: the operator's narrative per section ({ summary, storage, interaction, processing, fusion, market }). */
    narrative: text('narrative').notNull().default('{}'),
    submittedAt: timestamp('submitted_at'),
    submittedByLabel: text('submitted_by_label'),
    decidedAt: timestamp('decided_at'),
    decidedByLabel: text('decided_by_label'),
    /** The bureau's comment: required when it returns the version. */
    bureauComment: text('bureau_comment'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('operation_report_versions_report_version_idx').on(t.reportId, t.version),
    index('operation_report_versions_state_idx').on(t.state),
  ],
)
