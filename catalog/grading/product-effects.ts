import { eq, inArray, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { datasets, productDatasets, products, type SensitivityLevel } from '#db/schema/index.ts'
import { highestLevel } from '#catalog/products/product-level.ts'
import { nonCompliance, outputKindOf, regradingSuspensionReason } from './grading-rules.ts'

export interface SuspendedByGrading {
  code: string
  reason: string
  rule: string
}

/**
 * What a new level of a dataset does to the products drawing on it, as batch statements to commit with the grading:
 * each product's level becomes the highest of its datasets', and a published product not yet suspended whose output of
 * this dataset no longer complies with the new level is suspended, with a reason naming the re-grading (ADR 0037).
 */
export async function productEffectsOfGrading(
  db: Db,
  opts: {
    datasetId: string
    datasetCode: string
    sourceUnitZh: string
    from: SensitivityLevel
    to: SensitivityLevel
    now: number
  },
): Promise<{ statements: BatchItem<'sqlite'>[]; suspended: SuspendedByGrading[]; relevelled: string[] }> {
  const links = await db
    .select({
      id: products.id,
      code: products.code,
      form: products.form,
      state: products.state,
      level: products.level,
      suspendedAt: products.suspendedAt,
      outputKind: productDatasets.outputKind,
    })
    .from(productDatasets)
    .innerJoin(products, eq(products.id, productDatasets.productId))
    .where(eq(productDatasets.datasetId, opts.datasetId))
  if (links.length === 0) return { statements: [], suspended: [], relevelled: [] }
  const levels = await db
    .select({ productId: productDatasets.productId, datasetId: datasets.id, level: datasets.level })
    .from(productDatasets)
    .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .where(
      inArray(
        productDatasets.productId,
        links.map((l) => l.id),
      ),
    )
  const statements: BatchItem<'sqlite'>[] = []
  const suspended: SuspendedByGrading[] = []
  const relevelled: string[] = []
  for (const p of links) {
    const level = highestLevel(
      levels.filter((l) => l.productId === p.id).map((l) => (l.datasetId === opts.datasetId ? opts.to : l.level)),
    )
    const kind = outputKindOf(p.form, p.outputKind)
    const rule = opts.from === opts.to ? null : nonCompliance(opts.to, kind)
    const suspend = rule !== null && kind !== null && p.state === 'published' && p.suspendedAt === null
    if (level !== p.level) relevelled.push(p.code)
    if (!suspend && level === p.level) continue
    const reason = suspend ? regradingSuspensionReason({ ...opts, kind }) : null
    if (suspend) suspended.push({ code: p.code, reason: reason!, rule })
    statements.push(
      db
        .update(products)
        .set(
          suspend
            ? {
                level,
                // Guarded: a suspension the bureau made meanwhile keeps its own time and reason.
                suspendedAt: sql`coalesce(${products.suspendedAt}, ${opts.now})`,
                suspensionReason: sql`case when ${products.suspendedAt} is null then ${reason} else ${products.suspensionReason} end`,
              }
            : { level },
        )
        .where(eq(products.id, p.id)),
    )
  }
  return { statements, suspended, relevelled }
}
