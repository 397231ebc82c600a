import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, productDatasets, SENSITIVITY_LEVELS, type SensitivityLevel } from '#db/schema/index.ts'

/** Art. 2 / §5: a product is as sensitive as its most sensitive dataset. */
export function highestLevel(levels: readonly SensitivityLevel[]): SensitivityLevel {
  let best = 0
  for (const level of levels) best = Math.max(best, SENSITIVITY_LEVELS.indexOf(level))
  return SENSITIVITY_LEVELS[best]!
}

/** The product's datasets with their level and code. */
export async function productDatasetsOf(db: Db, productId: string) {
  return db
    .select({ id: datasets.id, code: datasets.code, level: datasets.level })
    .from(productDatasets)
    .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .where(eq(productDatasets.productId, productId))
}
