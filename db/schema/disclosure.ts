import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { users } from './identity.ts'

// The annual public disclosure (65号; the 2026 disclosure rules): one edition per year, prepared by the operator as
// versions (figures frozen from the records, narrative editable), published by the bureau by 31 March of the next year.

export const DISCLOSURE_STATES = ['draft', 'published'] as const

export const disclosureEditions = sqliteTable('disclosure_editions', {
  id: id(),
  year: integer('year').notNull().unique(),
  state: text('state', { enum: DISCLOSURE_STATES }).notNull().default('draft'),
  /** The version the bureau published (disclosure_versions.id). */
  publishedVersionId: text('published_version_id'),
  publishedAt: timestamp('published_at'),
  publishedByUserId: text('published_by_user_id').references(() => users.id),
  createdAt: createdAt(),
})

export const disclosureVersions = sqliteTable(
  'disclosure_versions',
  {
    id: id(),
    editionId: text('edition_id')
      .notNull()
      .references(() => disclosureEditions.id),
    version: integer('version').notNull(),
    /** JSON: the figures as frozen from the records when prepared (DisclosureFigures). */
    figures: text('figures').notNull(),
    /** JSON: the operator's narrative sections (DisclosureNarrative). */
    narrative: text('narrative').notNull(),
    /** When the figures were read from the records. */
    figuresAt: integer('figures_at').notNull(),
    preparedByUserId: text('prepared_by_user_id').references(() => users.id),
    preparedByLabel: text('prepared_by_label').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('disclosure_versions_edition_version_idx').on(t.editionId, t.version),
    index('disclosure_versions_edition_idx').on(t.editionId),
  ],
)
