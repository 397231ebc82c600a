import { eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, productDatasets, products, sourceUnits } from '#db/schema/index.ts'

/** The filter choices the catalog offers: forms, domains and source units that published products actually use. */
export async function listCatalogFacets(db: Db) {
  const rows = await db
    .selectDistinct({
      form: products.form,
      domain: products.domain,
      unitCode: sourceUnits.code,
      unitZh: sourceUnits.nameZh,
      unitEn: sourceUnits.nameEn,
    })
    .from(products)
    .leftJoin(productDatasets, eq(productDatasets.productId, products.id))
    .leftJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .leftJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(inArray(products.state, ['published']))
  const units = new Map<string, { code: string; nameZh: string; nameEn: string }>()
  for (const r of rows) if (r.unitCode) units.set(r.unitCode, { code: r.unitCode, nameZh: r.unitZh!, nameEn: r.unitEn! })
  return {
    forms: [...new Set(rows.map((r) => r.form))].sort(),
    domains: [...new Set(rows.map((r) => r.domain))].sort(),
    sourceUnits: [...units.values()].sort((a, b) => a.code.localeCompare(b.code)),
  }
}
