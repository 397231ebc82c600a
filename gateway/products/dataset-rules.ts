import { asc, eq, getTableName, inArray, type Table } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasetFields, datasets, productDatasets, type SensitivityLevel } from '#db/schema/index.ts'
import type { TaggedField } from '#catalog/desensitization/mask-record.ts'
import { checkOutput, type OutputKind, type OutputRule } from '#catalog/output-rules/output-rules.ts'
import { TtlCache } from '../access/ttl-cache.ts'
import { GatewayError } from '../http/gateway-error.ts'

/** What the output rules need to know of a dataset: its current level and its fields' personal-data tags. */
export interface DatasetRules {
  code: string
  /** The platform table its data lands in (`city_enterprises`…); null for the generic store. */
  storeTable: string | null
  level: SensitivityLevel
  fields: TaggedField[]
}

/**
 * The datasets a product draws on (its `product_datasets` rows), with their rules. A handler picks the one it reads
 * by the table it reads, so no handler repeats a dataset code the catalog already links to its product.
 */
export class ProductDatasets {
  constructor(readonly all: readonly DatasetRules[]) {}

  /** The product's dataset stored in `table`, or undefined when the product draws on none stored there. */
  storedIn(table: Table): DatasetRules | undefined {
    const name = getTableName(table)
    return this.all.find((d) => d.storeTable === name)
  }

  /** The product's dataset stored in `table`; a product registered without it is a platform fault (500). */
  require(table: Table): DatasetRules {
    const found = this.storedIn(table)
    if (!found) throw new Error(`the product draws on no dataset stored in ${getTableName(table)}`)
    return found
  }
}

/** The rules of every dataset a product draws on. */
export type LoadProductDatasets = (productId: string) => Promise<ProductDatasets>

/** Same bound as the gateway's access cache: a re-graded dataset is seen within 1 s, also by another process. */
const TTL_MS = 500

const COLUMNS = { id: datasets.id, code: datasets.code, storeTable: datasets.storeTable, level: datasets.level }

async function withFields(
  db: Db,
  rows: { id: string; code: string; storeTable: string | null; level: SensitivityLevel }[],
): Promise<DatasetRules[]> {
  if (rows.length === 0) return []
  const fields = await db
    .select({ datasetId: datasetFields.datasetId, name: datasetFields.name, piTag: datasetFields.piTag })
    .from(datasetFields)
    .where(
      inArray(
        datasetFields.datasetId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(datasetFields.ordinal))
  return rows.map(({ id, ...dataset }) => ({
    ...dataset,
    fields: fields.filter((f) => f.datasetId === id).map(({ name, piTag }) => ({ name, piTag })),
  }))
}

/**
 * Reads the levels and field tags of a product's datasets from the catalog (not from constants), so a re-grading
 * by the catalog changes what the products disclose on the next call. Cached for 500 ms.
 */
export function createDatasetRules(db: Db): LoadProductDatasets {
  const cache = new TtlCache<string, ProductDatasets>(TTL_MS)
  return (productId) =>
    cache.get(productId, async () => {
      const rows = await db
        .select(COLUMNS)
        .from(productDatasets)
        .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
        .where(eq(productDatasets.productId, productId))
        .orderBy(asc(datasets.code))
      return new ProductDatasets(await withFields(db, rows))
    })
}

/** The rules of the catalog's dataset stored in a table, whichever products draw on it. Cached for 500 ms. */
export function createStoreTableRules(db: Db): (table: Table) => Promise<DatasetRules> {
  const cache = new TtlCache<string, DatasetRules>(TTL_MS)
  return (table) => {
    const name = getTableName(table)
    return cache.get(name, async () => {
      const rows = await db
        .select(COLUMNS)
        .from(datasets)
        .where(eq(datasets.storeTable, name))
        .orderBy(asc(datasets.code))
        .limit(1)
      const [found] = await withFields(db, rows)
      if (!found) throw new Error(`no dataset is stored in ${name}`)
      return found
    })
  }
}

/** The rule for `kind` at `level`, or `validation_failed` naming why the level forbids it. */
export function requireOutput(level: SensitivityLevel, kind: OutputKind, field = 'level'): OutputRule {
  const allowed = checkOutput(level, kind)
  if (allowed.ok) return allowed.value
  throw new GatewayError('validation_failed', allowed.error.message, { [field]: `${level.toLowerCase()}_forbids_${kind}` })
}
