import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans, subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

export interface PlanChange {
  id: string
  planCode: string
  planVersion: number
  /** When the new plan takes over: now, or the start of the next billing period (Asia/Shanghai month). */
  effectiveAt: number
  isImmediate: boolean
}

/**
 * A partner changes the plan of its subscription (ADR 0032) to the latest version of another plan (or of the same
 * plan, to move onto its new version). The change takes effect from the next billing period, or at once when asked
 * and the plan changed to allows it (`allowsImmediateChange`): limits are per subscription and a month's quota was
 * sold by the plan it began under. A second change before the first took effect replaces it.
 */
export async function changeSubscriptionPlan(
  db: Db,
  opts: {
    subscriptionId: string
    planCode: string
    isImmediate?: boolean
    actor: Actor
    requestId?: string
    now?: number
  },
): Promise<Result<PlanChange>> {
  const denied = refuseUnlessPermitted(opts.actor, 'subscription.change_plan')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const planCode = opts.planCode.trim()
  if (planCode === '' || planCode.length > 40) {
    return fail('validation', 'validation_failed', 'Choose a plan', { planCode: 'required' })
  }
  const [sub] = await db
    .select({
      id: subscriptions.id,
      partnerId: subscriptions.partnerId,
      state: subscriptions.state,
      endsAt: subscriptions.endsAt,
      planCode: subscriptions.planCode,
      planVersion: subscriptions.planVersion,
      nextPlanCode: subscriptions.nextPlanCode,
      nextPlanVersion: subscriptions.nextPlanVersion,
      planChangesAt: subscriptions.planChangesAt,
    })
    .from(subscriptions)
    .where(eq(subscriptions.id, opts.subscriptionId))
    .limit(1)
  if (!sub || !isOwnPartnerObject(opts.actor, sub.partnerId)) {
    return fail('not_found', 'subscription_not_found', 'No such subscription')
  }
  if (sub.state !== 'active' && sub.state !== 'pending') {
    return fail('conflict', 'subscription_not_active', `The subscription is ${sub.state}`)
  }
  if (sub.endsAt !== null) return fail('conflict', 'subscription_cancelled', 'The subscription is cancelled')
  const [plan] = await db
    .select({ code: plans.code, version: plans.version, allowsImmediateChange: plans.allowsImmediateChange })
    .from(plans)
    .where(eq(plans.code, planCode))
    .orderBy(desc(plans.version))
    .limit(1)
  if (!plan) return fail('validation', 'validation_failed', `No plan ${planCode}`, { planCode: 'unknown' })

  // A change from the next period that has taken effect by now is the current plan.
  const isFolded = sub.nextPlanCode !== null && sub.planChangesAt !== null && sub.planChangesAt <= now
  const current = isFolded
    ? { code: sub.nextPlanCode ?? sub.planCode, version: sub.nextPlanVersion ?? 1 }
    : { code: sub.planCode, version: sub.planVersion }
  if (current.code === plan.code && current.version === plan.version) {
    return fail('conflict', 'same_plan', 'The subscription is already on this plan', { planCode: 'same_plan' })
  }
  const isImmediate = opts.isImmediate === true
  if (isImmediate && !plan.allowsImmediateChange) {
    return fail('conflict', 'immediate_change_not_allowed', `Plan ${plan.code} takes over from the next billing period only`, {
      planCode: 'immediate_not_allowed',
    })
  }
  const effectiveAt = isImmediate ? now : startOfNextMonth(now)
  const set = isImmediate
    ? { planCode: plan.code, planVersion: plan.version, nextPlanCode: null, nextPlanVersion: null, planChangesAt: null }
    : {
        planCode: current.code,
        planVersion: current.version,
        nextPlanCode: plan.code,
        nextPlanVersion: plan.version,
        planChangesAt: effectiveAt,
      }
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'subscription.change_plan',
      objectType: 'subscription',
      objectId: sub.id,
      requestId: opts.requestId,
      detail: {
        from: `${current.code}@${current.version}`,
        to: `${plan.code}@${plan.version}`,
        isImmediate,
        effectiveAt,
      },
    },
    [
      db
        .update(subscriptions)
        .set(set)
        .where(and(eq(subscriptions.id, sub.id), inArray(subscriptions.state, ['active', 'pending']))),
    ],
  )
  return ok({ id: sub.id, planCode: plan.code, planVersion: plan.version, effectiveAt, isImmediate })
}
