import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

/**
 * A partner cancels a subscription (ADR 0032). An active one runs to the end of the current billing period (the
 * Asia/Shanghai month: the period already begun is billed as used) and ends then: from `endsAt` its keys are refused
 * `not_subscribed`. A pending one (awaiting the bureau) ends at once: nothing was ever served under it.
 */
export async function cancelSubscription(
  db: Db,
  opts: { subscriptionId: string; actor: Actor; requestId?: string; now?: number },
): Promise<Result<{ id: string; state: 'active' | 'ended'; endsAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'subscription.cancel')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [sub] = await db
    .select({
      id: subscriptions.id,
      partnerId: subscriptions.partnerId,
      state: subscriptions.state,
      endsAt: subscriptions.endsAt,
    })
    .from(subscriptions)
    .where(eq(subscriptions.id, opts.subscriptionId))
    .limit(1)
  if (!sub || !isOwnPartnerObject(opts.actor, sub.partnerId)) {
    return fail('not_found', 'subscription_not_found', 'No such subscription')
  }
  if (sub.endsAt !== null) return fail('conflict', 'subscription_cancelled', 'The subscription is already cancelled')
  if (sub.state !== 'active' && sub.state !== 'pending') {
    return fail('conflict', 'subscription_not_active', `The subscription is ${sub.state}`)
  }
  const isPending = sub.state === 'pending'
  const endsAt = isPending ? now : startOfNextMonth(now)
  const state = isPending ? ('ended' as const) : ('active' as const)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'subscription.cancel',
      objectType: 'subscription',
      objectId: sub.id,
      requestId: opts.requestId,
      detail: { from: sub.state, endsAt },
    },
    [
      db
        .update(subscriptions)
        .set(isPending ? { state, cancelledAt: now, endsAt, endedAt: now } : { cancelledAt: now, endsAt })
        .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.state, sub.state), isNull(subscriptions.endsAt))),
    ],
  )
  return ok({ id: sub.id, state, endsAt })
}
