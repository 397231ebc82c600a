import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, products, subscriptions } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, type Result } from '#platform/result.ts'
import { createApiKey, type CreatedApiKey } from './create-api-key.ts'

/**
 * CLI path: a key for an active subscription, bound to it (ADR 0032): the key serves that subscription only, and its
 * purpose and plan decide the price of every call made with it.
 */
export async function createApiKeyForSubscription(
  db: Db,
  opts: { subscriptionId: string; name?: string; expiresOn?: string | null; ipAllowlist?: string | null; actor: Actor },
): Promise<Result<CreatedApiKey & { partnerCode: string; productCode: string }>> {
  const [sub] = await db
    .select({
      id: subscriptions.id,
      state: subscriptions.state,
      partnerId: subscriptions.partnerId,
      partnerCode: partners.code,
      productCode: products.code,
    })
    .from(subscriptions)
    .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(eq(subscriptions.id, opts.subscriptionId))
    .limit(1)
  if (!sub) return fail('not_found', 'subscription_not_found', `No subscription ${opts.subscriptionId}`)
  if (sub.state !== 'active') return fail('conflict', 'subscription_not_active', `Subscription ${sub.id} is ${sub.state}`)
  const created = await createApiKey(db, {
    partnerId: sub.partnerId,
    name: opts.name ?? `cli ${sub.productCode}`,
    expiresOn: opts.expiresOn,
    ipAllowlist: opts.ipAllowlist,
    subscriptionId: sub.id,
    actor: opts.actor,
  })
  if (!created.ok) return created
  return {
    ok: true,
    value: { ...created.value, partnerCode: sub.partnerCode, productCode: sub.productCode, subscriptionId: sub.id },
  }
}
