import { randomUUID } from 'node:crypto'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { modelReleases, partners, products, subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * Records that a model (数据模型) was released to a partner: charge unit model_release, not an event meter. It is
 * billed by the first close after it (at the price in force when it was released), exactly once.
 */
export async function recordModelRelease(
  db: Db,
  opts: {
    partnerCode: string
    productCode: string
    releasedAt: number
    description?: string
    actor: Actor
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'model_release.record')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  if (!Number.isSafeInteger(opts.releasedAt) || opts.releasedAt > now) {
    return fail('validation', 'validation_failed', 'The release time must not be in the future', { releasedAt: 'invalid' })
  }
  const [sub] = await db
    .select({
      id: subscriptions.id,
      partnerId: subscriptions.partnerId,
      productId: subscriptions.productId,
      purpose: subscriptions.purpose,
    })
    .from(subscriptions)
    .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(
      and(
        eq(partners.code, opts.partnerCode),
        eq(products.code, opts.productCode),
        inArray(subscriptions.state, ['active', 'ended']),
      ),
    )
    .limit(1)
  if (!sub) return fail('not_found', 'not_subscribed', 'The partner has no subscription to this product')
  const id = randomUUID()
  const description = (opts.description ?? '').trim().slice(0, 200)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'model_release.record',
      objectType: 'model_release',
      objectId: id,
      requestId: opts.requestId,
      detail: { partner: opts.partnerCode, product: opts.productCode, releasedAt: opts.releasedAt, description },
    },
    [
      db.insert(modelReleases).values({
        id,
        partnerId: sub.partnerId,
        productId: sub.productId,
        subscriptionId: sub.id,
        purpose: sub.purpose,
        releasedAt: opts.releasedAt,
        description,
        recordedByUserId: opts.actor.id,
        createdAt: now,
      }),
    ],
  )
  return ok({ id })
}
