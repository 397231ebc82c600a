import { and, eq, ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The operator or the bureau retires a product: the end of its lifecycle (the gateway stops serving it). */
export async function retireProduct(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; code: string; reason?: string | null },
): Promise<Result<{ code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'product.retire')
  if (denied) return denied
  const [product] = await db.select({ id: products.id, state: products.state }).from(products).where(eq(products.code, opts.code))
  if (!product) return fail('not_found', 'product_not_found', `No product ${opts.code}`)
  if (product.state === 'retired') return fail('conflict', 'product_retired', 'The product is retired already')
  const reason = opts.reason?.trim() || null
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'product.retire',
      objectType: 'product',
      objectId: product.id,
      requestId: opts.requestId,
      detail: { code: opts.code, from: product.state, reason },
    },
    [
      db
        .update(products)
        .set({ state: 'retired' })
        .where(and(eq(products.id, product.id), ne(products.state, 'retired'))),
    ],
  )
  return ok({ code: opts.code })
}
