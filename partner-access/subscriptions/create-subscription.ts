import { randomUUID } from 'node:crypto'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, plans, products, subscriptions, PURPOSES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { refuseUnacceptedAgreements } from '../agreements/refuse-unaccepted-agreements.ts'

export type Purpose = (typeof PURPOSES)[number]

export const STATEMENT_MIN_LENGTH = 10
export const STATEMENT_MAX_LENGTH = 2000

export interface CreatedSubscription {
  id: string
  state: 'active' | 'pending'
  purpose: Purpose
  planCode: string
  partnerCode: string
  productCode: string
}

/**
 * A partner subscribes to a published product with a purpose (Art. 21):
 * `industrial` is active at once (paid); `public_interest` needs a statement of
 * the public-governance or public-welfare scenario and stays pending until the
 * bureau approves it (then free of charge). The plan gives the rate limit,
 * monthly quota and distinct-subjects limit. One live (pending or active)
 * subscription per partner and product.
 */
export async function createSubscription(
  db: Db,
  opts: {
    partner: { id: string } | { code: string }
    productCode: string
    purpose: string
    statement?: string | null
    planCode?: string | null
    actor: Actor
    requestId?: string
  },
): Promise<Result<CreatedSubscription>> {
  const denied = refuseUnlessPermitted(opts.actor, 'subscription.create')
  if (denied) return denied
  if (!(PURPOSES as readonly string[]).includes(opts.purpose)) {
    return fail('validation', 'validation_failed', 'Purpose must be industrial or public_interest', { purpose: 'invalid' })
  }
  const purpose = opts.purpose as Purpose
  const statement = opts.statement?.trim() || null
  if (purpose === 'public_interest' && (!statement || statement.length < STATEMENT_MIN_LENGTH)) {
    return fail(
      'validation',
      'validation_failed',
      'A public-interest purpose needs a statement of the public-governance or public-welfare scenario',
      {
        statement: 'required',
      },
    )
  }
  if (statement && statement.length > STATEMENT_MAX_LENGTH) {
    return fail('validation', 'validation_failed', `The statement is at most ${STATEMENT_MAX_LENGTH} characters`, {
      statement: 'length',
    })
  }
  const planCode = opts.planCode?.trim() || 'standard'
  const [plan] = await db.select({ code: plans.code }).from(plans).where(eq(plans.code, planCode)).limit(1)
  if (!plan) return fail('validation', 'validation_failed', `No plan ${planCode}`, { planCode: 'unknown' })

  const [partner] = await db
    .select({ id: partners.id, code: partners.code, state: partners.state })
    .from(partners)
    .where('id' in opts.partner ? eq(partners.id, opts.partner.id) : eq(partners.code, opts.partner.code))
    .limit(1)
  // A partner admin subscribes its own partner only: another partner is not found.
  if (!partner || !isOwnPartnerObject(opts.actor, partner.id)) return fail('not_found', 'partner_not_found', 'No such partner')
  if (partner.state !== 'active') return fail('conflict', 'partner_not_active', 'The partner is not active')

  const [product] = await db
    .select({ id: products.id, code: products.code, state: products.state, suspendedAt: products.suspendedAt })
    .from(products)
    .where(eq(products.code, opts.productCode))
    .limit(1)
  if (!product) return fail('not_found', 'product_not_found', `No product ${opts.productCode}`, { productCode: 'unknown' })
  if (product.state !== 'published') {
    return fail('conflict', 'product_not_published', `${product.code} is not published`, { productCode: 'not_published' })
  }
  if (product.suspendedAt !== null) {
    return fail('conflict', 'product_suspended', `${product.code} is suspended by the bureau`, { productCode: 'suspended' })
  }
  const [live] = await db
    .select({ id: subscriptions.id, state: subscriptions.state })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.partnerId, partner.id),
        eq(subscriptions.productId, product.id),
        inArray(subscriptions.state, ['pending', 'active']),
      ),
    )
    .limit(1)
  if (live) {
    return fail('conflict', 'already_subscribed', `Already subscribed to ${product.code} (${live.state})`, {
      productCode: 'already_subscribed',
    })
  }

  // An industrial subscription is active at once: only for a partner that accepted the agreements (ADR 0031).
  if (purpose === 'industrial') {
    const unaccepted = await refuseUnacceptedAgreements(db, partner.id, Date.now())
    if (unaccepted) return unaccepted
  }

  const id = randomUUID()
  const state = purpose === 'industrial' ? 'active' : 'pending'
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'subscription.create',
      objectType: 'subscription',
      objectId: id,
      requestId: opts.requestId,
      detail: { partner: partner.code, product: product.code, purpose, state, planCode, statement },
    },
    [
      db.insert(subscriptions).values({
        id,
        partnerId: partner.id,
        productId: product.id,
        purpose,
        purposeStatement: statement,
        state,
        planCode,
        createdByUserId: opts.actor.id,
      }),
    ],
  )
  return ok({ id, state, purpose, planCode, partnerCode: partner.code, productCode: product.code })
}
