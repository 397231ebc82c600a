import { and, desc, eq, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '#db/client.ts'
import { partners, plans, products, subscriptions, users } from '#db/schema/index.ts'

const decider = alias(users, 'decider')

/**
 * Subscriptions, newest first: one partner's (portal) or all (bureau, CLI), optionally by state, each with its
 * scenario, plan version, a plan change to come and a cancellation's end (ADR 0032). The limits shown are those of
 * the plan version it is on now; a change from the next period shows as `nextPlanCode` until `planChangesAt`.
 */
export async function listSubscriptions(
  db: Db,
  opts: {
    partnerId?: string | null
    state?: 'pending' | 'active' | 'rejected' | 'ended' | null
    purpose?: 'industrial' | 'public_interest' | null
  } = {},
) {
  const where: SQL | undefined = and(
    opts.partnerId ? eq(subscriptions.partnerId, opts.partnerId) : undefined,
    opts.state ? eq(subscriptions.state, opts.state) : undefined,
    opts.purpose ? eq(subscriptions.purpose, opts.purpose) : undefined,
  )
  return db
    .select({
      id: subscriptions.id,
      partnerId: subscriptions.partnerId,
      partnerCode: partners.code,
      partnerName: partners.name,
      productId: products.id,
      productCode: products.code,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      productForm: products.form,
      productApiPath: products.apiPath,
      productExampleRequest: products.exampleRequest,
      purpose: subscriptions.purpose,
      purposeStatement: subscriptions.purposeStatement,
      scenario: subscriptions.scenario,
      expectedMonthlyVolume: subscriptions.expectedMonthlyVolume,
      state: subscriptions.state,
      planCode: subscriptions.planCode,
      planVersion: subscriptions.planVersion,
      nextPlanCode: subscriptions.nextPlanCode,
      nextPlanVersion: subscriptions.nextPlanVersion,
      planChangesAt: subscriptions.planChangesAt,
      cancelledAt: subscriptions.cancelledAt,
      endsAt: subscriptions.endsAt,
      rateLimitPerMinute: plans.rateLimitPerMinute,
      monthlyQuota: plans.monthlyQuota,
      distinctSubjectsPerDay: plans.distinctSubjectsPerDay,
      createdAt: subscriptions.createdAt,
      decidedAt: subscriptions.decidedAt,
      decidedBy: decider.username,
      decisionComment: subscriptions.decisionComment,
    })
    .from(subscriptions)
    .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .leftJoin(plans, and(eq(plans.code, subscriptions.planCode), eq(plans.version, subscriptions.planVersion)))
    .leftJoin(decider, eq(decider.id, subscriptions.decidedByUserId))
    .where(where)
    .orderBy(desc(subscriptions.createdAt))
}

export type SubscriptionListing = Awaited<ReturnType<typeof listSubscriptions>>[number]
