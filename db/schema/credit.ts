import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { partners, users } from './identity.ts'

// Credit records (Art. 28): violations recorded against a partner or the operator, for the city's credit platform.
export const CREDIT_SEVERITIES = ['minor', 'major', 'serious'] as const
export const CREDIT_SUBJECTS = ['partner', 'operator'] as const
export const CREDIT_SOURCES = ['case', 'regulator_finding'] as const
export const CREDIT_RECORD_KINDS = ['violation', 'revocation'] as const

/**
 * Append-only (a trigger refuses UPDATE and DELETE): a record is withdrawn only by a later `revocation` row that names
 * it, and stops counting at its expiry. A violation's source is a rectification case (its id as text: the case may
 * live in another module or come later) or a regulator's finding (with the regulator's name).
 */
export const creditRecords = sqliteTable(
  'credit_records',
  {
    id: id(),
    /** XY-2026-0001: the number the city's credit platform quotes back. */
    code: text('code').notNull().unique(),
    kind: text('kind', { enum: CREDIT_RECORD_KINDS }).notNull(),
    subjectType: text('subject_type', { enum: CREDIT_SUBJECTS }).notNull(),
    partnerId: text('partner_id').references(() => partners.id),
    severity: text('severity', { enum: CREDIT_SEVERITIES }).notNull(),
    sourceType: text('source_type', { enum: CREDIT_SOURCES }).notNull(),
    /** The rectification case's id or code, when the source is a case. */
    caseRef: text('case_ref'),
    regulatorName: text('regulator_name'),
    /** The day of the violation (start of the Asia/Shanghai day). */
    occurredAt: integer('occurred_at', { mode: 'number' }).notNull(),
    /** End of its last day (Asia/Shanghai): from this instant the record no longer counts. */
    expiresAt: integer('expires_at', { mode: 'number' }).notNull(),
    description: text('description').notNull(),
    /** For a revocation: the violation record it withdraws. */
    revokesRecordId: text('revokes_record_id'),
    recordedByUserId: text('recorded_by_user_id').references(() => users.id),
    recordedByLabel: text('recorded_by_label').notNull(),
    recordedAt: timestamp('recorded_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('credit_records_partner_idx').on(t.partnerId), index('credit_records_revokes_idx').on(t.revokesRecordId)],
)
