import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id } from '../columns.ts'
import { sourceUnits } from './identity.ts'

export const PRODUCT_FORMS = ['component', 'model', 'verification', 'service', 'tool', 'report'] as const
export const DATA_DOMAINS = ['finance', 'credit', 'transport', 'medical', 'health', 'employment', 'market'] as const
export const SENSITIVITY_LEVELS = ['L1', 'L2', 'L3', 'L4'] as const
export const DELIVERY_MODES = ['interface', 'table', 'file'] as const

export const datasets = sqliteTable(
  'datasets',
  {
    id: id(),
    code: text('code').notNull().unique(),
    sourceUnitId: text('source_unit_id')
      .notNull()
      .references(() => sourceUnits.id),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    domain: text('domain', { enum: DATA_DOMAINS }).notNull(),
    level: text('level', { enum: SENSITIVITY_LEVELS }).notNull(),
    deliveryMode: text('delivery_mode', { enum: DELIVERY_MODES }).notNull(),
    // The platform table the data lands in (Art. 16), e.g. `city_enterprises`.
    storeTable: text('store_table'),
    createdAt: createdAt(),
  },
  (t) => [index('datasets_source_unit_idx').on(t.sourceUnitId)],
)

export const products = sqliteTable('products', {
  id: id(),
  code: text('code').notNull().unique(),
  registrationCode: text('registration_code').unique(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  descriptionZh: text('description_zh').notNull().default(''),
  descriptionEn: text('description_en').notNull().default(''),
  form: text('form', { enum: PRODUCT_FORMS }).notNull(),
  level: text('level', { enum: SENSITIVITY_LEVELS }).notNull(),
  state: text('state', { enum: ['draft', 'under_review', 'published', 'retired'] })
    .notNull()
    .default('draft'),
  apiPath: text('api_path'),
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
  },
  (t) => [primaryKey({ columns: [t.productId, t.datasetId] })],
)
