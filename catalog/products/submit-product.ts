import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { highestLevel, productDatasetsOf } from './product-level.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The operator sends a draft product to the bureau's review; its level is recomputed from its datasets. */
export async function submitProduct(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; code: string },
): Promise<Result<{ code: string; level: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'product.submit')
  if (denied) return denied
  const [product] = await db.select({ id: products.id, state: products.state }).from(products).where(eq(products.code, opts.code))
  if (!product) return fail('not_found', 'product_not_found', `No product ${opts.code}`)
  if (product.state !== 'draft')
    return fail('conflict', 'product_not_draft', `The product is ${product.state}; only a draft is submitted`)
  const used = await productDatasetsOf(db, product.id)
  if (used.length === 0)
    return fail('validation', 'product_without_datasets', 'Name at least one dataset', { datasetCodes: 'datasets_required' })
  const level = highestLevel(used.map((d) => d.level))
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'product.submit',
      objectType: 'product',
      objectId: product.id,
      requestId: opts.requestId,
      detail: { code: opts.code, level },
    },
    [
      db
        .update(products)
        .set({ state: 'under_review', level })
        .where(and(eq(products.id, product.id), eq(products.state, 'draft'))),
    ],
  )
  return ok({ code: opts.code, level })
}
