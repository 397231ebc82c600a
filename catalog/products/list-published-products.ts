import { asc, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, productDatasets, products, sourceUnits } from '#db/schema/index.ts'

/** The public catalog: published products with the source units their data comes from. */
export async function listPublishedProducts(db: Db) {
  return db
    .select({
      code: products.code,
      registrationCode: products.registrationCode,
      nameZh: products.nameZh,
      nameEn: products.nameEn,
      descriptionZh: products.descriptionZh,
      descriptionEn: products.descriptionEn,
      form: products.form,
      level: products.level,
      apiPath: products.apiPath,
      sourceUnitsZh: sql<string>`coalesce(group_concat(distinct ${sourceUnits.nameZh}), '')`,
      sourceUnitsEn: sql<string>`coalesce(group_concat(distinct ${sourceUnits.nameEn}), '')`,
    })
    .from(products)
    .leftJoin(productDatasets, eq(productDatasets.productId, products.id))
    .leftJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .leftJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(eq(products.state, 'published'))
    .groupBy(products.id)
    .orderBy(asc(products.code))
}
