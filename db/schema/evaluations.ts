import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'
import { createdAt, id, timestamp } from '../columns.ts'
import { partners, sourceUnits, users } from './identity.ts'

// Evaluations (Art. 18–20; docs/decisions/0034-evaluations.md): the bureau evaluates the source units (the basis of
// their incentives, Art. 19), the operator (yearly, Art. 20) and the partners under their agreements (考核, Art. 12(4)).

/** Who is evaluated. The operator is one subject (the platform's operator), partners one each. */
export const EVALUATION_SUBJECT_KINDS = ['source_unit', 'operator', 'partner'] as const
export type EvaluationSubjectKind = (typeof EVALUATION_SUBJECT_KINDS)[number]

/** open (self-assessment, until the deadline) → submitted → scored (the bureau, editable) → published (final). */
export const EVALUATION_SUBJECT_STATES = ['open', 'submitted', 'scored', 'published'] as const
export type EvaluationSubjectState = (typeof EVALUATION_SUBJECT_STATES)[number]

export const EVALUATION_EVIDENCE_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const

/**
 * A weighted scheme for one kind of subject, versioned: a version is never edited (triggers refuse UPDATE and DELETE
 * of schemes and their criteria); a new version replaces it for evaluations opened afterwards.
 */
export const evaluationSchemes = sqliteTable(
  'evaluation_schemes',
  {
    id: id(),
    subjectKind: text('subject_kind', { enum: EVALUATION_SUBJECT_KINDS }).notNull(),
    version: integer('version').notNull(),
    /** The weighted total (0–100) a subject must reach to pass. */
    passMark: integer('pass_mark').notNull(),
    note: text('note').notNull().default(''),
    createdByUserId: text('created_by_user_id').references(() => users.id),
    createdByLabel: text('created_by_label').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('evaluation_schemes_version_idx').on(t.subjectKind, t.version)],
)

/** A criterion of a scheme: its weight (whole percent; a scheme's weights sum to 100) and the figures that inform it. */
export const evaluationCriteria = sqliteTable(
  'evaluation_criteria',
  {
    schemeId: text('scheme_id')
      .notNull()
      .references(() => evaluationSchemes.id),
    key: text('key').notNull(),
    ordinal: integer('ordinal').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    weight: integer('weight').notNull(),
    /** Comma-separated keys of the measured figures shown beside it (evaluation/measures/), '' for none. */
    measures: text('measures').notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.schemeId, t.key] })],
)

/** 评估: one round for a period, with the deadline for self-assessments and evidence. */
export const evaluations = sqliteTable('evaluations', {
  id: id(),
  /** PG-<year>-<NNNN> (评估). */
  code: text('code').notNull().unique(),
  title: text('title').notNull(),
  /** `2026` or `2026-Q3`; the period is [periodStart, periodEnd) in Shanghai time. */
  period: text('period').notNull(),
  periodStart: timestamp('period_start').notNull(),
  periodEnd: timestamp('period_end').notNull(),
  /** The deadline: a Shanghai day and its end (exclusive) as epoch ms. */
  deadlineOn: text('deadline_on').notNull(),
  deadlineAt: timestamp('deadline_at').notNull(),
  openedAt: timestamp('opened_at').notNull(),
  openedByUserId: text('opened_by_user_id').references(() => users.id),
  openedByLabel: text('opened_by_label').notNull(),
  createdAt: createdAt(),
})

/** One evaluated party in one evaluation, under the scheme version in force when the evaluation opened. */
export const evaluationSubjects = sqliteTable(
  'evaluation_subjects',
  {
    id: id(),
    evaluationId: text('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    kind: text('kind', { enum: EVALUATION_SUBJECT_KINDS }).notNull(),
    sourceUnitId: text('source_unit_id').references(() => sourceUnits.id),
    partnerId: text('partner_id').references(() => partners.id),
    schemeId: text('scheme_id')
      .notNull()
      .references(() => evaluationSchemes.id),
    state: text('state', { enum: EVALUATION_SUBJECT_STATES }).notNull().default('open'),
    /** JSON `{ [criterionKey]: text }`: the subject's own assessment (source units and the operator). */
    selfAssessment: text('self_assessment'),
    submittedAt: timestamp('submitted_at'),
    submittedByLabel: text('submitted_by_label'),
    /** JSON `{ [criterionKey]: { score: 0–100, comment } }`: the bureau's scores. */
    scores: text('scores'),
    /** Σ weight × score, in hundredths of a point (0–10,000): 8,250 is 82.50. */
    totalHundredths: integer('total_hundredths'),
    passed: integer('passed', { mode: 'boolean' }),
    bureauComment: text('bureau_comment'),
    scoredAt: timestamp('scored_at'),
    scoredByLabel: text('scored_by_label'),
    /** JSON: the measured figures of the period as they stood at publication. */
    measured: text('measured'),
    publishedAt: timestamp('published_at'),
    publishedByLabel: text('published_by_label'),
    createdAt: createdAt(),
  },
  (t) => [
    index('evaluation_subjects_evaluation_idx').on(t.evaluationId, t.kind),
    uniqueIndex('evaluation_subjects_source_unit_idx').on(t.evaluationId, t.sourceUnitId),
    uniqueIndex('evaluation_subjects_partner_idx').on(t.evaluationId, t.partnerId),
    uniqueIndex('evaluation_subjects_operator_idx')
      .on(t.evaluationId)
      .where(sql`kind = 'operator'`),
    index('evaluation_subjects_su_idx').on(t.sourceUnitId),
    index('evaluation_subjects_partner_id_idx').on(t.partnerId),
  ],
)

/** A self-assessment's evidence file (stored by id outside the web root; served only as a download). */
export const evaluationEvidence = sqliteTable(
  'evaluation_evidence',
  {
    id: id(),
    subjectId: text('subject_id')
      .notNull()
      .references(() => evaluationSubjects.id),
    fileName: text('file_name').notNull(),
    mediaType: text('media_type', { enum: EVALUATION_EVIDENCE_TYPES }).notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    uploadedByUserId: text('uploaded_by_user_id').references(() => users.id),
    uploadedByLabel: text('uploaded_by_label').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('evaluation_evidence_subject_idx').on(t.subjectId)],
)
