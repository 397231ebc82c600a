import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { id } from '../columns.ts'
import { datasets, SENSITIVITY_LEVELS } from './catalog.ts'

/**
 * Art. 5: the source unit grades its own data and states its usage requirements (使用要求); the operator proposes.
 * One row per step, never edited (ADR 0037):
 * - `proposal`: the operator proposes a level (at registration, or later); the level in force does not change,
 *   except at registration, where the proposal is the level until the source unit decides.
 * - `decision`: the source unit confirms or changes the level and states its usage requirements; the level applies
 *   to the dataset and its products at once.
 * - `floor`: the platform lifted a dataset with personal fields to L2 (the personal-data floor), pending the source
 *   unit's decision.
 */
export const GRADING_KINDS = ['proposal', 'decision', 'floor'] as const
export type GradingKind = (typeof GRADING_KINDS)[number]

export const datasetGradings = sqliteTable(
  'dataset_gradings',
  {
    id: id(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id),
    kind: text('kind', { enum: GRADING_KINDS }).notNull(),
    /** The level proposed (proposal) or decided (decision, floor). */
    level: text('level', { enum: SENSITIVITY_LEVELS }).notNull(),
    /** The level in force before this step. */
    previousLevel: text('previous_level', { enum: SENSITIVITY_LEVELS }),
    /** 使用要求: the source unit's usage requirements (decisions only). */
    usageRequirements: text('usage_requirements'),
    /** The operator's reason for a proposal, or the platform's for a floor lift. */
    note: text('note'),
    /** JSON array of the product codes this decision suspended (their output no longer complies with the level). */
    suspendedProducts: text('suspended_products'),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    role: text('role').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('dataset_gradings_dataset_idx').on(t.datasetId, t.at)],
)
