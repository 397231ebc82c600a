import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkReason } from './bureau-only.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The bureau suspends a product (Art. 24): from the next request, in every
 * gateway process within 1 s, its calls answer 423 product_suspended.
 */
export async function suspendProduct(
  db: Db,
  opts: { productCode: string; reason: string; actor: Actor; requestId?: string; now?: number },
): Promise<Result<{ code: string; suspendedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'product.suspend')
  if (denied) return denied
  const reason = checkReason(opts.reason, true)
  if (reason.error) return reason.error
  const [product] = await db
    .select({ id: products.id, code: products.code, suspendedAt: products.suspendedAt })
    .from(products)
    .where(eq(products.code, opts.productCode))
    .limit(1)
  if (!product) return fail('not_found', 'product_not_found', `No product ${opts.productCode}`)
  if (product.suspendedAt !== null) return fail('conflict', 'already_suspended', `${product.code} is already suspended`)
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'product.suspend',
      objectType: 'product',
      objectId: product.id,
      requestId: opts.requestId,
      detail: { code: product.code, reason: reason.text },
    },
    [db.update(products).set({ suspendedAt: now, suspensionReason: reason.text }).where(eq(products.id, product.id))],
  )
  return ok({ code: product.code, suspendedAt: now })
}
