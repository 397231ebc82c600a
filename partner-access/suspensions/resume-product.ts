import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkReason } from './bureau-only.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The bureau lifts a product suspension; the gateway answers again within 1 s. */
export async function resumeProduct(
  db: Db,
  opts: { productCode: string; reason?: string | null; actor: Actor; requestId?: string },
): Promise<Result<{ code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'product.resume')
  if (denied) return denied
  const reason = checkReason(opts.reason, false)
  if (reason.error) return reason.error
  const [product] = await db
    .select({
      id: products.id,
      code: products.code,
      suspendedAt: products.suspendedAt,
      suspensionReason: products.suspensionReason,
    })
    .from(products)
    .where(eq(products.code, opts.productCode))
    .limit(1)
  if (!product) return fail('not_found', 'product_not_found', `No product ${opts.productCode}`)
  if (product.suspendedAt === null) return fail('conflict', 'not_suspended', `${product.code} is not suspended`)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'product.resume',
      objectType: 'product',
      objectId: product.id,
      requestId: opts.requestId,
      detail: {
        code: product.code,
        reason: reason.text,
        suspendedAt: product.suspendedAt,
        suspensionReason: product.suspensionReason,
      },
    },
    [db.update(products).set({ suspendedAt: null, suspensionReason: null }).where(eq(products.id, product.id))],
  )
  return ok({ code: product.code })
}
