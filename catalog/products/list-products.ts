import { asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, PRODUCT_STATES, productDatasets, products } from '#db/schema/index.ts'

/** Every product in any state (operator and CLI view), or those in `states` (the bureau's review queue), with its dataset codes. */
export async function listProducts(db: Db, opts: { states?: readonly (typeof PRODUCT_STATES)[number][] } = {}) {
  return db
    .select({
      code: products.code,
      nameZh: products.nameZh,
      nameEn: products.nameEn,
      descriptionZh: products.descriptionZh,
      descriptionEn: products.descriptionEn,
      form: products.form,
      domain: products.domain,
      level: products.level,
      state: products.state,
      registrationCode: products.registrationCode,
      reviewComment: products.reviewComment,
      publishedAt: products.publishedAt,
      createdAt: products.createdAt,
      datasetCodes: sql<string>`coalesce(group_concat(${datasets.code}, ','), '')`,
    })
    .from(products)
    .leftJoin(productDatasets, eq(productDatasets.productId, products.id))
    .leftJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .where(opts.states ? inArray(products.state, [...opts.states]) : undefined)
    .groupBy(products.id)
    .orderBy(asc(products.code))
}

export type ProductListRow = Awaited<ReturnType<typeof listProducts>>[number]
