import { and, asc, eq, exists, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, productDatasets, products, sourceUnits } from '#db/schema/index.ts'

export interface CatalogFilters {
  /** Free text: name, description or code (Chinese or English). */
  q?: string | null
  form?: string | null
  domain?: string | null
  /** A source unit code: products drawing on at least one of its datasets. */
  sourceUnit?: string | null
}

/** `%` and `_` typed by a visitor are literal characters, not wildcards. */
const likeArg = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * The public catalog: published products with the source units their data
 * comes from, filtered; `available` is false while a dataset it uses has no
 * authorization in force (the gateway then answers authorization_ended).
 */
export async function listPublishedProducts(db: Db, filters: CatalogFilters = {}, now = Date.now()) {
  const q = filters.q?.trim()
  const pd = alias(productDatasets, 'filter_pd')
  const ds = alias(datasets, 'filter_ds')
  const su = alias(sourceUnits, 'filter_su')
  return db
    .select({
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
      sourceUnitsZh: sql<string>`coalesce(group_concat(distinct ${sourceUnits.nameZh}), '')`,
      sourceUnitsEn: sql<string>`coalesce(group_concat(distinct ${sourceUnits.nameEn}), '')`,
      available: sql<number>`not exists (
        select 1 from ${productDatasets} pd where pd.product_id = ${products.id} and not exists (
          select 1 from ${authorizations} a
          where a.dataset_id = pd.dataset_id and a.state = 'active' and a.starts_at <= ${now} and a.ends_at > ${now}))`.mapWith(
        Boolean,
      ),
    })
    .from(products)
    .leftJoin(productDatasets, eq(productDatasets.productId, products.id))
    .leftJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .leftJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(
      and(
        eq(products.state, 'published'),
        filters.form ? eq(products.form, filters.form as never) : undefined,
        filters.domain ? eq(products.domain, filters.domain as never) : undefined,
        q
          ? or(
              sql`${products.nameZh} like ${likeArg(q)} escape '\\'`,
              sql`${products.nameEn} like ${likeArg(q)} escape '\\'`,
              sql`${products.descriptionZh} like ${likeArg(q)} escape '\\'`,
              sql`${products.descriptionEn} like ${likeArg(q)} escape '\\'`,
              sql`${products.code} like ${likeArg(q)} escape '\\'`,
            )
          : undefined,
        filters.sourceUnit
          ? exists(
              db
                .select({ one: sql`1` })
                .from(pd)
                .innerJoin(ds, eq(ds.id, pd.datasetId))
                .innerJoin(su, eq(su.id, ds.sourceUnitId))
                .where(and(eq(pd.productId, products.id), eq(su.code, filters.sourceUnit))),
            )
          : undefined,
      ),
    )
    .groupBy(products.id)
    .orderBy(asc(products.code))
}

export type PublishedProductRow = Awaited<ReturnType<typeof listPublishedProducts>>[number]
