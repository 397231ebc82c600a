import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, productDatasets, products, sourceUnits } from '#db/schema/index.ts'
import { findProductAuthorizationState } from '#catalog/authorizations/find-product-authorization-state.ts'

/**
 * A published product's public page: description, level, the source units and
 * datasets it draws on, the example call, and whether it answers now (every
 * dataset authorized). Null when there is no such published product.
 */
export async function findPublishedProduct(db: Db, opts: { code: string; now?: number }) {
  const [product] = await db
    .select({
      id: products.id,
      code: products.code,
      registrationCode: products.registrationCode,
      nameZh: products.nameZh,
      nameEn: products.nameEn,
      descriptionZh: products.descriptionZh,
      descriptionEn: products.descriptionEn,
      form: products.form,
      domain: products.domain,
      level: products.level,
      apiPath: products.apiPath,
      exampleRequest: products.exampleRequest,
      exampleResponse: products.exampleResponse,
      publishedAt: products.publishedAt,
      suspendedAt: products.suspendedAt,
    })
    .from(products)
    .where(and(eq(products.code, opts.code), eq(products.state, 'published')))
  if (!product) return null
  const [used, authorization] = await Promise.all([
    db
      .select({
        code: datasets.code,
        nameZh: datasets.nameZh,
        nameEn: datasets.nameEn,
        level: datasets.level,
        sourceUnitCode: sourceUnits.code,
        sourceUnitZh: sourceUnits.nameZh,
        sourceUnitEn: sourceUnits.nameEn,
      })
      .from(productDatasets)
      .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
      .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
      .where(eq(productDatasets.productId, product.id))
      .orderBy(asc(datasets.code)),
    findProductAuthorizationState(db, { productId: product.id, now: opts.now }),
  ])
  const { id: _id, ...rest } = product
  return { ...rest, datasets: used, available: authorization.ok && product.suspendedAt === null }
}

export type PublishedProductDetail = NonNullable<Awaited<ReturnType<typeof findPublishedProduct>>>
