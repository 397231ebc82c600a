import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { id } from '../columns.ts'
import { partners, users } from './identity.ts'

/**
 * Partner agreements (Art. 2, 22; ADR 0031): versioned templates of two kinds, drafted by the operator and approved
 * (or returned) by the bureau. The approved version of a kind with the latest effective date ≤ now is current; a
 * partner must have accepted the current version of both kinds (an earlier one is honoured until the new one's
 * accept-by date) for its subscriptions to answer at the gateway.
 */
export const AGREEMENT_KINDS = ['cooperation', 'platform_service'] as const
export type AgreementKind = (typeof AGREEMENT_KINDS)[number]
export const AGREEMENT_VERSION_STATES = ['draft', 'approved', 'returned'] as const
export type AgreementVersionState = (typeof AGREEMENT_VERSION_STATES)[number]

export const agreementVersions = sqliteTable(
  'agreement_versions',
  {
    id: id(),
    kind: text('kind', { enum: AGREEMENT_KINDS }).notNull(),
    /** 1, 2, … per kind, in drafting order. */
    version: integer('version').notNull(),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en').notNull(),
    bodyZh: text('body_zh').notNull(),
    bodyEn: text('body_en').notNull(),
    effectiveAt: integer('effective_at').notNull(),
    /** Partners that accepted an earlier version of the kind keep answering until then; null = at once. */
    acceptBy: integer('accept_by'),
    state: text('state', { enum: AGREEMENT_VERSION_STATES }).notNull().default('draft'),
    draftedByUserId: text('drafted_by_user_id').references(() => users.id),
    draftedAt: integer('drafted_at').notNull(),
    decidedByUserId: text('decided_by_user_id').references(() => users.id),
    decidedAt: integer('decided_at'),
    decisionComment: text('decision_comment'),
  },
  (t) => [
    uniqueIndex('agreement_versions_kind_version_idx').on(t.kind, t.version),
    index('agreement_versions_state_idx').on(t.state, t.kind, t.effectiveAt),
  ],
)

/** Append-only (triggers): who accepted which version for which partner, when, from where, and the hash of the text shown. */
export const agreementAcceptances = sqliteTable(
  'agreement_acceptances',
  {
    id: id(),
    versionId: text('version_id')
      .notNull()
      .references(() => agreementVersions.id),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id),
    userId: text('user_id').references(() => users.id),
    /** The accepting user's name as shown at the time (a later rename does not rewrite the record). */
    userName: text('user_name').notNull(),
    acceptedAt: integer('accepted_at').notNull(),
    clientAddress: text('client_address'),
    /** The exact text shown (body + generated pricing section), kept so the PDF and the hash can be checked later. */
    renderedText: text('rendered_text').notNull(),
    hashAlgorithm: text('hash_algorithm').notNull(),
    textHash: text('text_hash').notNull(),
  },
  (t) => [
    uniqueIndex('agreement_acceptances_version_partner_idx').on(t.versionId, t.partnerId),
    index('agreement_acceptances_partner_idx').on(t.partnerId),
  ],
)
