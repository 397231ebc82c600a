import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'
import { sourceUnits, users } from './identity.ts'

export const PRODUCT_FORMS = ['component', 'model', 'verification', 'service', 'tool', 'report'] as const
export type ProductForm = (typeof PRODUCT_FORMS)[number]
export const DATA_DOMAINS = ['finance', 'credit', 'transport', 'medical', 'health', 'employment', 'market', 'other'] as const
export const SENSITIVITY_LEVELS = ['L1', 'L2', 'L3', 'L4'] as const
export type SensitivityLevel = (typeof SENSITIVITY_LEVELS)[number]
/** Art. 6: data graded core or secret is never operated; registration refuses it. */
export const REFUSED_LEVELS = ['core', 'secret'] as const
export const DELIVERY_MODES = ['interface', 'table', 'file'] as const
export const UPDATE_FREQUENCIES = ['realtime', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'static'] as const
export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'] as const
/** Personal or identifying field tags: each decides a masking rule (catalog/desensitization/). */
export const PI_TAGS = ['name', 'id_card', 'phone', 'bank_card', 'address', 'uscc', 'email', 'plate'] as const
export type PiTag = (typeof PI_TAGS)[number]

export const datasets = sqliteTable(
  'datasets',
  {
    id: id(),
    code: text('code').notNull().unique(),
    /** 登记编号, assigned at registration. */
    registrationCode: text('registration_code').unique(),
    sourceUnitId: text('source_unit_id')
      .notNull()
      .references(() => sourceUnits.id),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    description: text('description').notNull().default(''),
    domain: text('domain', { enum: DATA_DOMAINS }).notNull(),
    level: text('level', { enum: SENSITIVITY_LEVELS }).notNull(),
    deliveryMode: text('delivery_mode', { enum: DELIVERY_MODES }).notNull(),
    updateFrequency: text('update_frequency', { enum: UPDATE_FREQUENCIES }).notNull().default('monthly'),
    // The platform table the data lands in (Art. 16), e.g. `city_enterprises`; null → the generic dataset_records store.
    storeTable: text('store_table'),
    /** For `interface` delivery: the source unit's endpoint the platform pulls from. */
    interfaceUrl: text('interface_url'),
    /** For `interface` delivery: pull schedule in minutes (0 = on demand only). */
    pullEveryMinutes: integer('pull_every_minutes').notNull().default(0),
    registeredByUserId: text('registered_by_user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('datasets_source_unit_idx').on(t.sourceUnitId)],
)

export const datasetFields = sqliteTable(
  'dataset_fields',
  {
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id),
    ordinal: integer('ordinal').notNull(),
    name: text('name').notNull(),
    labelZh: text('label_zh').notNull().default(''),
    type: text('type', { enum: FIELD_TYPES }).notNull(),
    required: integer('required', { mode: 'boolean' }).notNull().default(false),
    piTag: text('pi_tag', { enum: PI_TAGS }),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.name] })],
)

/** Generic in-platform store for file- and interface-delivered datasets without a typed store table. */
export const datasetRecords = sqliteTable(
  'dataset_records',
  {
    datasetId: text('dataset_id').notNull(),
    rowNo: integer('row_no').notNull(),
    loadId: text('load_id').notNull(),
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.rowNo] })],
)

/** Lineage of every load (Art. 8, 16): who, when, how, how many rows, checksum, outcome. */
export const datasetLoads = sqliteTable(
  'dataset_loads',
  {
    id: id(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id),
    mode: text('mode', { enum: DELIVERY_MODES }).notNull(),
    trigger: text('trigger', { enum: ['manual', 'schedule', 'cli', 'seed'] }).notNull(),
    actorLabel: text('actor_label').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: timestamp('finished_at'),
    state: text('state', { enum: ['running', 'succeeded', 'failed', 'rejected'] }).notNull(),
    rowsTotal: integer('rows_total').notNull().default(0),
    rowsLoaded: integer('rows_loaded').notNull().default(0),
    rowsRejected: integer('rows_rejected').notNull().default(0),
    /** SHA-256 of the loaded content. */
    checksum: text('checksum'),
    fileName: text('file_name'),
    attempts: integer('attempts').notNull().default(1),
    error: text('error'),
    /** JSON: per-row problems ([{ row, field, problem }]) for a rejected file. */
    report: text('report'),
  },
  (t) => [
    index('dataset_loads_dataset_idx').on(t.datasetId, t.startedAt),
    // Log search by time (supervision/logs, ADR 0026).
    index('dataset_loads_started_idx').on(t.startedAt),
  ],
)

/** 授权运营需求清单 (Art. 14). */
export const demandLists = sqliteTable('demand_lists', {
  id: id(),
  code: text('code').notNull().unique(),
  title: text('title').notNull(),
  state: text('state', { enum: ['draft', 'submitted', 'closed'] })
    .notNull()
    .default('draft'),
  createdByUserId: text('created_by_user_id').references(() => users.id),
  submittedAt: timestamp('submitted_at'),
  createdAt: createdAt(),
})

export const DEMAND_ITEM_STATES = ['draft', 'pending_review', 'returned', 'approved', 'granted', 'refused'] as const

export const demandItems = sqliteTable(
  'demand_items',
  {
    id: id(),
    listId: text('list_id')
      .notNull()
      .references(() => demandLists.id),
    /** The dataset asked for; null when the item only describes the data needed. */
    datasetId: text('dataset_id').references(() => datasets.id),
    /** Which source unit must decide (from the dataset, or chosen by the operator). */
    sourceUnitId: text('source_unit_id')
      .notNull()
      .references(() => sourceUnits.id),
    dataDescription: text('data_description').notNull(),
    retrievalMethod: text('retrieval_method', { enum: DELIVERY_MODES }).notNull(),
    usageScenario: text('usage_scenario').notNull(),
    requestedTermMonths: integer('requested_term_months').notNull().default(12),
    state: text('state', { enum: DEMAND_ITEM_STATES }).notNull().default('draft'),
    bureauComment: text('bureau_comment'),
    /** Source unit's grant: delivery mode and term. */
    grantedDeliveryMode: text('granted_delivery_mode', { enum: DELIVERY_MODES }),
    /** Art. 15: a refusal must state its legal basis. */
    refusalCitation: text('refusal_citation'),
    refusalExplanation: text('refusal_explanation'),
    createdAt: createdAt(),
  },
  (t) => [index('demand_items_list_idx').on(t.listId), index('demand_items_state_idx').on(t.state, t.sourceUnitId)],
)

/** Every transition of a demand item, with actor and time. */
export const demandItemTransitions = sqliteTable(
  'demand_item_transitions',
  {
    id: id(),
    itemId: text('item_id')
      .notNull()
      .references(() => demandItems.id),
    at: integer('at').notNull(),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    role: text('role').notNull(),
    comment: text('comment'),
  },
  (t) => [index('demand_item_transitions_item_idx').on(t.itemId, t.at)],
)

/** Art. 17: granted per dataset, for at most 3 years. */
export const authorizations = sqliteTable(
  'authorizations',
  {
    id: id(),
    code: text('code').notNull().unique(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id),
    demandItemId: text('demand_item_id').references(() => demandItems.id),
    deliveryMode: text('delivery_mode', { enum: DELIVERY_MODES }).notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    // 'suspended' (Art. 24, 27): the bureau paused data supply during a rectification; the data stays, the term runs on.
    state: text('state', { enum: ['active', 'suspended', 'expired', 'terminated'] })
      .notNull()
      .default('active'),
    suspendedAt: timestamp('suspended_at'),
    suspendedReason: text('suspended_reason'),
    /** The rectification case the suspension belongs to, if any (rectification_cases.id; no FK: that table is above). */
    suspendedCaseId: text('suspended_case_id'),
    grantedByUserId: text('granted_by_user_id').references(() => users.id),
    endedAt: timestamp('ended_at'),
    endedReason: text('ended_reason'),
    /** When the dataset's data was deleted from the platform store after the end. */
    dataDeletedAt: timestamp('data_deleted_at'),
    rowsDeleted: integer('rows_deleted'),
    createdAt: createdAt(),
  },
  (t) => [index('authorizations_dataset_idx').on(t.datasetId, t.state)],
)

/** What may leave the platform from a dataset (catalog/output-rules/output-rules.ts). */
export const OUTPUT_KINDS = ['record', 'aggregate', 'verdict', 'score'] as const

export const PRODUCT_STATES = ['draft', 'under_review', 'published', 'retired'] as const

export const products = sqliteTable('products', {
  id: id(),
  code: text('code').notNull().unique(),
  registrationCode: text('registration_code').unique(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  descriptionZh: text('description_zh').notNull().default(''),
  descriptionEn: text('description_en').notNull().default(''),
  form: text('form', { enum: PRODUCT_FORMS }).notNull(),
  /** The highest level of its datasets, recomputed whenever they change. */
  level: text('level', { enum: SENSITIVITY_LEVELS }).notNull(),
  domain: text('domain', { enum: DATA_DOMAINS }).notNull().default('other'),
  state: text('state', { enum: PRODUCT_STATES }).notNull().default('draft'),
  /** e.g. `POST /api/v1/verifications/enterprise`: the operation that serves it. */
  apiPath: text('api_path'),
  /** Example request and response shown on the catalog page (JSON). */
  exampleRequest: text('example_request'),
  exampleResponse: text('example_response'),
  reviewComment: text('review_comment'),
  /** Bureau suspension (Art. 24): the gateway answers 423 product_suspended while set. */
  suspendedAt: timestamp('suspended_at'),
  suspensionReason: text('suspension_reason'),
  publishedAt: timestamp('published_at'),
  createdAt: createdAt(),
})

export const productDatasets = sqliteTable(
  'product_datasets',
  {
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id),
    /**
     * What the product lets out of this dataset (catalog/output-rules/): decides whether it still complies when the
     * dataset is re-graded (ADR 0037). Null: what its form lets out (service → records, verification → verdicts, model →
     * scores, component and report → aggregates).
     */
    outputKind: text('output_kind', { enum: OUTPUT_KINDS }),
  },
  (t) => [primaryKey({ columns: [t.productId, t.datasetId] })],
)
