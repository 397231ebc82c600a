import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, isNotNull, lte } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, plans, products, subscriptions, PURPOSES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { refuseUnacceptedAgreements } from '../agreements/refuse-unaccepted-agreements.ts'

export type Purpose = (typeof PURPOSES)[number]

export const STATEMENT_MIN_LENGTH = 10
export const STATEMENT_MAX_LENGTH = 2000
export const SCENARIO_MIN_LENGTH = 4
export const SCENARIO_MAX_LENGTH = 500
/** Expected calls per month: a statement of scale, not a quota (the plan's quota binds). */
export const EXPECTED_VOLUME_MAX = 1_000_000_000

/** The scenario of a subscription created without one (the CLI of before scenarios; the 0019 backfill says the same). */
export function defaultScenarioOf(purpose: Purpose, statement: string | null): string {
  return purpose === 'public_interest' ? (statement ?? '公益用途（场景功能上线前的订阅）') : '产业用途（场景功能上线前的订阅）'
}

export interface CreatedSubscription {
  id: string
  state: 'active' | 'pending'
  purpose: Purpose
  planCode: string
  planVersion: number
  scenario: string
  expectedMonthlyVolume: number | null
  partnerCode: string
  productCode: string
}

/**
 * A partner subscribes to a published product with a purpose (Art. 21):
 * `industrial` is active at once (paid); `public_interest` needs a statement of
 * the public-governance or public-welfare scenario and stays pending until the
 * bureau approves it (then free of charge). The plan gives the rate limit,
 * monthly quota and distinct-subjects limit (its latest version). Each subscription names its application
 * scenario (应用场景: what for, how much per month); one live (pending or active) subscription per partner, product and
 * purpose, so an industrial and a public-interest one may stand side by side, each with its own keys (ADR 0032).
 */
export async function createSubscription(
  db: Db,
  opts: {
    partner: { id: string } | { code: string }
    productCode: string
    purpose: string
    statement?: string | null
    planCode?: string | null
    /** The application scenario; none = one derived from the purpose (the CLI of before scenarios). */
    scenario?: string | null
    expectedMonthlyVolume?: number | null
    actor: Actor
    requestId?: string
    now?: number
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
  const givenScenario = opts.scenario?.trim() || null
  if (givenScenario !== null && (givenScenario.length < SCENARIO_MIN_LENGTH || givenScenario.length > SCENARIO_MAX_LENGTH)) {
    return fail('validation', 'validation_failed', `The scenario is ${SCENARIO_MIN_LENGTH}–${SCENARIO_MAX_LENGTH} characters`, {
      scenario: 'length',
    })
  }
  const scenario = givenScenario ?? defaultScenarioOf(purpose, statement)
  const volume = opts.expectedMonthlyVolume ?? null
  if (volume !== null && (!Number.isSafeInteger(volume) || volume < 0 || volume > EXPECTED_VOLUME_MAX)) {
    return fail('validation', 'validation_failed', `The expected volume is a whole number 0–${EXPECTED_VOLUME_MAX}`, {
      expectedMonthlyVolume: 'invalid',
    })
  }
  const planCode = opts.planCode?.trim() || 'standard'
  // A new subscription takes the plan's latest version (ADR 0032).
  const [plan] = await db
    .select({ code: plans.code, version: plans.version })
    .from(plans)
    .where(eq(plans.code, planCode))
    .orderBy(desc(plans.version))
    .limit(1)
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
  const now = opts.now ?? Date.now()
  const isSamePurpose = and(
    eq(subscriptions.partnerId, partner.id),
    eq(subscriptions.productId, product.id),
    eq(subscriptions.purpose, purpose),
  )
  const [live] = await db
    .select({ id: subscriptions.id, state: subscriptions.state, endsAt: subscriptions.endsAt })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.partnerId, partner.id),
        eq(subscriptions.productId, product.id),
        eq(subscriptions.purpose, purpose),
        inArray(subscriptions.state, ['pending', 'active']),
      ),
    )
    .limit(1)
  // A cancelled subscription past its end is over (ADR 0032): it is marked ended with the new one, in the same batch.
  if (live && (live.endsAt === null || live.endsAt > now)) {
    return fail('conflict', 'already_subscribed', `Already subscribed to ${product.code} for ${purpose} (${live.state})`, {
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
  const planVersion = plan.version
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'subscription.create',
        objectType: 'subscription',
        objectId: id,
        requestId: opts.requestId,
        detail: {
          partner: partner.code,
          product: product.code,
          purpose,
          state,
          planCode,
          planVersion,
          statement,
          scenario,
          expectedMonthlyVolume: volume,
        },
      },
      [
        db
          .update(subscriptions)
          .set({ state: 'ended', endedAt: now })
          .where(
            and(
              isSamePurpose,
              inArray(subscriptions.state, ['pending', 'active']),
              isNotNull(subscriptions.endsAt),
              lte(subscriptions.endsAt, now),
            ),
          ),
        db.insert(subscriptions).values({
          id,
          partnerId: partner.id,
          productId: product.id,
          purpose,
          purposeStatement: statement,
          scenario,
          expectedMonthlyVolume: volume,
          state,
          planCode,
          planVersion,
          createdByUserId: opts.actor.id,
        }),
      ],
    )
  } catch (error) {
    // Two racing requests for the same purpose: the partial unique index lets one through (ADR 0032).
    if (
      String(error).includes('subscriptions_live_purpose_idx') ||
      String(error).includes('UNIQUE constraint failed: subscriptions')
    ) {
      return fail('conflict', 'already_subscribed', `Already subscribed to ${product.code} for ${purpose}`, {
        productCode: 'already_subscribed',
      })
    }
    throw error
  }
  return ok({
    id,
    state,
    purpose,
    planCode,
    planVersion,
    scenario,
    expectedMonthlyVolume: volume,
    partnerCode: partner.code,
    productCode: product.code,
  })
}
