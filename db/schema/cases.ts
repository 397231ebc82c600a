import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { partners, sourceUnits, users } from './identity.ts'
import { authorizations, products } from './catalog.ts'

// Rectification cases (Art. 26–27, 29; docs/decisions/0028-rectification-cases-and-authorization-suspension.md).

/**
 * reported → open → evidence_submitted → closed (verified), or open/evidence_submitted → escalated (deadline passed)
 * → terminated (the bureau confirms the end of the agreement or authorization, Art. 27). A reported case can also be
 * dismissed by the bureau (closed without opening).
 */
export const CASE_STATES = ['reported', 'open', 'evidence_submitted', 'closed', 'escalated', 'terminated'] as const
export type CaseState = (typeof CASE_STATES)[number]

/** Who reported the problem (Art. 26): a source unit itself, or a regulator (监管部门) recorded by the bureau. */
export const CASE_REPORTERS = ['source_unit', 'regulator'] as const

/** Against whom the case is opened. */
export const CASE_TARGETS = ['operator', 'partner', 'product', 'authorization'] as const
export type CaseTarget = (typeof CASE_TARGETS)[number]

export const rectificationCases = sqliteTable(
  'rectification_cases',
  {
    id: id(),
    /** `ZG-<year>-<NNNN>` (整改). */
    code: text('code').notNull().unique(),
    state: text('state', { enum: CASE_STATES }).notNull().default('reported'),
    reporterKind: text('reporter_kind', { enum: CASE_REPORTERS }).notNull(),
    reporterSourceUnitId: text('reporter_source_unit_id').references(() => sourceUnits.id),
    /** The regulator's name when the bureau records a regulator's report. */
    regulatorName: text('regulator_name'),
    reportedByUserId: text('reported_by_user_id').references(() => users.id),
    /** What the reporter saw. */
    report: text('report').notNull(),
    targetKind: text('target_kind', { enum: CASE_TARGETS }),
    partnerId: text('partner_id').references(() => partners.id),
    productId: text('product_id').references(() => products.id),
    authorizationId: text('authorization_id').references(() => authorizations.id),
    /** The bureau's finding and the rule breached (an article of the Measures or the agreement), set on opening. */
    finding: text('finding'),
    ruleBreached: text('rule_breached'),
    /** The deadline: a Shanghai day (YYYY-MM-DD) and its end as epoch ms. */
    deadlineOn: text('deadline_on'),
    deadlineAt: timestamp('deadline_at'),
    openedAt: timestamp('opened_at'),
    evidenceSubmittedAt: timestamp('evidence_submitted_at'),
    closedAt: timestamp('closed_at'),
    escalatedAt: timestamp('escalated_at'),
    terminatedAt: timestamp('terminated_at'),
    /** The bureau's last word: why it closed (verified) or terminated. */
    resolution: text('resolution'),
    createdAt: createdAt(),
  },
  (t) => [
    index('rectification_cases_state_idx').on(t.state, t.deadlineAt),
    index('rectification_cases_partner_idx').on(t.partnerId),
    index('rectification_cases_reporter_idx').on(t.reporterSourceUnitId),
  ],
)

/** A case's timeline: one row per step, never updated or deleted (triggers). */
export const caseEvents = sqliteTable(
  'case_events',
  {
    id: id(),
    caseId: text('case_id')
      .notNull()
      .references(() => rectificationCases.id),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    role: text('role').notNull(),
    note: text('note'),
    /** JSON: what changed (deadline, authorization code, evidence file). */
    detail: text('detail'),
  },
  (t) => [index('case_events_case_idx').on(t.caseId, t.at)],
)

export const EVIDENCE_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number]

/** Rectification evidence: files kept outside the web root, in the data directory, named by their id. */
export const caseEvidence = sqliteTable(
  'case_evidence',
  {
    id: id(),
    caseId: text('case_id')
      .notNull()
      .references(() => rectificationCases.id),
    fileName: text('file_name').notNull(),
    mediaType: text('media_type', { enum: EVIDENCE_MEDIA_TYPES }).notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    uploadedByUserId: text('uploaded_by_user_id').references(() => users.id),
    uploadedByLabel: text('uploaded_by_label').notNull(),
    role: text('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('case_evidence_case_idx').on(t.caseId)],
)

/** The in-app inbox: one row per recipient user, fanned out when the event happens. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind').notNull(),
    /** The case it is about (its code is in params). */
    caseId: text('case_id').references(() => rectificationCases.id),
    /** JSON message parameters: case code, authorization code, … */
    params: text('params').notNull().default('{}'),
    createdAt: createdAt(),
    readAt: timestamp('read_at'),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.readAt)],
)
