import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { PARTNER_KINDS, partners, users } from './identity.ts'

// Applications to become a partner (Art. 2, 12; ADR 0030): submitted by a visitor, reviewed by the operator.
export const APPLICATION_STATES = ['submitted', 'under_review', 'approved', 'rejected'] as const
export type ApplicationState = (typeof APPLICATION_STATES)[number]
export const APPLICATION_PURPOSES = ['public_interest', 'industrial'] as const
export const APPLICATION_DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const

export const partnerApplications = sqliteTable(
  'partner_applications',
  {
    id: id(),
    /** SQ-2026-000001: the number the applicant quotes. */
    number: text('number').notNull().unique(),
    kind: text('kind', { enum: PARTNER_KINDS }).notNull(),
    name: text('name').notNull(),
    /** Legal persons and unincorporated organisations. */
    uscc: text('uscc'),
    /**
     * Natural persons: the ID number, SM4-sealed (db/sealed-columns.ts, ADR 0019), shown masked everywhere but the
     * reviewer's detail page (ADR 0030); its keyed blind index finds duplicates without opening anything.
     */
    idNumber: text('id_number'),
    idNumberBidx: text('id_number_bidx'),
    contactName: text('contact_name').notNull(),
    /** Sealed as the ID number (a natural person's phone, or an organisation's contact's). */
    contactPhone: text('contact_phone').notNull(),
    contactEmail: text('contact_email').notNull(),
    scenarios: text('scenarios').notNull(),
    purpose: text('purpose', { enum: APPLICATION_PURPOSES }).notNull(),
    state: text('state', { enum: APPLICATION_STATES }).notNull().default('submitted'),
    /** SHA-256 of the status link's random token: the database does not yield the links. */
    statusTokenHash: text('status_token_hash').notNull().unique(),
    /** The submitting address (IPv6 by /64), for the per-address throttle. */
    address: text('address').notNull(),
    reviewStartedAt: timestamp('review_started_at'),
    decidedAt: timestamp('decided_at'),
    decidedByUserId: text('decided_by_user_id').references(() => users.id),
    decidedByLabel: text('decided_by_label'),
    /** The rejection's reason, shown to the applicant. */
    reason: text('reason'),
    /** The partner an approval created. */
    partnerId: text('partner_id').references(() => partners.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('partner_applications_address_idx').on(t.address, t.createdAt),
    index('partner_applications_uscc_idx').on(t.uscc),
    index('partner_applications_id_number_bidx_idx').on(t.idNumberBidx),
  ],
)

/** Qualification documents: files in the data directory named by id, sniffed by their first bytes. */
export const partnerApplicationDocuments = sqliteTable(
  'partner_application_documents',
  {
    id: id(),
    applicationId: text('application_id')
      .notNull()
      .references(() => partnerApplications.id),
    fileName: text('file_name').notNull(),
    mediaType: text('media_type', { enum: APPLICATION_DOCUMENT_TYPES }).notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('partner_application_documents_app_idx').on(t.applicationId)],
)

/** A single-use link for a new account to set its password: SHA-256 of the token, an expiry, a use. */
export const userInvites = sqliteTable(
  'user_invites',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    applicationId: text('application_id').references(() => partnerApplications.id),
    expiresAt: timestamp('expires_at').notNull(),
    usedAt: timestamp('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('user_invites_user_idx').on(t.userId)],
)
