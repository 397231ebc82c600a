import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, products, subscriptions } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, type Result } from '#platform/result.ts'
import { createApiKey, type CreatedApiKey } from './create-api-key.ts'

/** CLI path: a key for a partner that must already subscribe to the named product. */
export async function createApiKeyForProduct(
  db: Db,
  opts: { partnerCode: string; productCode: string; name?: string; actor: Actor },
): Promise<Result<CreatedApiKey & { partnerCode: string; productCode: string }>> {
  const [partner] = await db.select({ id: partners.id }).from(partners).where(eq(partners.code, opts.partnerCode))
  if (!partner) return fail('not_found', 'partner_not_found', `No partner with code ${opts.partnerCode}`)
  const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, opts.productCode))
  if (!product) return fail('not_found', 'product_not_found', `No product with code ${opts.productCode}`)
  const [sub] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(eq(subscriptions.partnerId, partner.id), eq(subscriptions.productId, product.id), eq(subscriptions.state, 'active')),
    )
  if (!sub) return fail('conflict', 'not_subscribed', `${opts.partnerCode} has no active subscription to ${opts.productCode}`)
  const created = await createApiKey(db, {
    partnerId: partner.id,
    name: opts.name ?? `cli ${opts.productCode}`,
    actor: opts.actor,
  })
  if (!created.ok) return created
  return { ok: true, value: { ...created.value, partnerCode: opts.partnerCode, productCode: opts.productCode } }
}
