import type { ProductAuthorizationState } from '#catalog/authorizations/find-product-authorization-state.ts'
import type { GatewayErrorCode } from '../http/gateway-error.ts'
import type { KeyAccess, ProductAccess, SubscriptionAccess } from './load-access.ts'
import type { EmergencyStopAccess } from './load-emergency-stop.ts'
import { decideAgreementStanding, type ApprovedVersion } from '#platform/agreements/agreement-standing.ts'

// The access policy of a metered call (ADR 0009), pure: no I/O, no clock. The rules need state that is loaded in
// stages, and a call refused early must not pay for the loads a later rule needs: `decideAccess` answers with a
// refusal, with what it still lacks (the gateway loads that and asks again), or with the granted access.

/** The access state known so far for one call: `undefined` = not loaded yet, `null` = there is none. */
export interface AccessState {
  key: KeyAccess
  product?: ProductAccess | null
  /** The emergency stops in force (Art. 13), loaded once the product is known. */
  emergencyStop?: EmergencyStopAccess
  subscription?: SubscriptionAccess | null
  authorization?: ProductAuthorizationState
  /** The partner's agreements (Art. 2, 22; ADR 0031): approved versions and the ones it accepted. */
  agreements?: AgreementAccess
}

export interface AgreementAccess {
  versions: readonly ApprovedVersion[]
  acceptedVersionIds: ReadonlySet<string>
}

export interface AccessRequest {
  at: number
  /** The TCP peer (ADR 0009: `X-Forwarded-For` is not trusted). */
  clientAddress: string | undefined
}

export type AccessRefusalCode = Extract<
  GatewayErrorCode,
  | 'key_revoked'
  | 'key_expired'
  | 'not_found'
  | 'not_subscribed'
  | 'subscription_pending'
  | 'product_suspended'
  | 'partner_suspended'
  | 'authorization_ended'
  | 'authorization_suspended'
  | 'ip_not_allowed'
  | 'emergency_stop'
  | 'agreement_not_accepted'
>

export interface AccessRefusal {
  kind: 'refused'
  code: AccessRefusalCode
  message: string
}

/** State a rule needs and the call has not loaded yet, with what names it. */
export type AccessLoad =
  | { kind: 'load'; part: 'product' }
  | { kind: 'load'; part: 'emergency_stop' }
  | { kind: 'load'; part: 'subscription'; partnerId: string; productId: string; subscriptionId: string | null }
  | { kind: 'load'; part: 'authorization'; productId: string }
  | { kind: 'load'; part: 'agreements'; partnerId: string }

export interface AccessGrant {
  kind: 'granted'
  product: ProductAccess
  subscription: SubscriptionAccess
  /** The authorizations in force the call draws on, for its lineage. */
  authorizationCodes: string[]
}

export type AccessDecision = AccessRefusal | AccessLoad | AccessGrant

const refuse = (code: AccessRefusalCode, message: string): AccessRefusal => ({ kind: 'refused', code, message })

// A product that does not exist and one not yet published are answered alike: a draft is nobody's business.
const NOT_PUBLISHED = refuse('not_found', 'This product is not published')
const notSubscribed = (product: ProductAccess) => refuse('not_subscribed', `No active subscription to ${product.code}`)

export function refuseRevokedKey(key: KeyAccess, at: number): AccessRefusal | null {
  return key.revokedAt !== null && key.revokedAt <= at ? refuse('key_revoked', 'This API key was revoked') : null
}

/** A rolled key's `expiresAt` is the end of its grace period: it stays valid until then. */
export function refuseExpiredKey(key: KeyAccess, at: number): AccessRefusal | null {
  return key.expiresAt !== null && key.expiresAt <= at ? refuse('key_expired', 'This API key has expired') : null
}

/** Drafts and products under review are invisible; retired and suspended ones are refused later, by their own rule. */
export function refuseUnpublishedProduct(product: ProductAccess): AccessRefusal | null {
  return product.state === 'draft' || product.state === 'under_review' ? NOT_PUBLISHED : null
}

/**
 * A subscription rejected or ended is none; so is one cancelled whose period is over (`endsAt`, ADR 0032), and any of
 * a partner that exited (its subscriptions went with it).
 */
export function refuseEndedSubscription(
  subscription: SubscriptionAccess,
  key: KeyAccess,
  product: ProductAccess,
  at = Number.NEGATIVE_INFINITY,
): AccessRefusal | null {
  const isPastEnd = subscription.endsAt !== undefined && subscription.endsAt !== null && subscription.endsAt <= at
  const isOver = subscription.state === 'rejected' || subscription.state === 'ended' || isPastEnd || key.partnerState === 'exited'
  return isOver ? notSubscribed(product) : null
}

export function refusePendingSubscription(subscription: SubscriptionAccess): AccessRefusal | null {
  return subscription.state === 'pending' ? refuse('subscription_pending', 'The subscription awaits the bureau’s approval') : null
}

export function refuseUnavailableProduct(product: ProductAccess, at: number): AccessRefusal | null {
  if (product.state === 'retired') return refuse('product_suspended', 'This product is retired')
  return product.suspendedAt !== null && product.suspendedAt <= at
    ? refuse('product_suspended', 'The data bureau has suspended this product')
    : null
}

export function refuseSuspendedPartner(key: KeyAccess): AccessRefusal | null {
  return key.partnerState === 'suspended'
    ? refuse('partner_suspended', 'The data bureau has suspended this partner’s access')
    : null
}

/** Every dataset the product draws on needs an authorization in force (Art. 17). */
export function refuseEndedAuthorization(authorization: ProductAuthorizationState): AccessRefusal | null {
  return authorization.endedDatasetCodes.length === 0
    ? null
    : refuse(
        'authorization_ended',
        `The authorization of ${authorization.endedDatasetCodes.join(', ')} is not in force (Art. 17)`,
      )
}

/**
 * None of them paused by the bureau during a rectification (Art. 24, 27; ADR 0028): the data stays in place, and the
 * product answers again as soon as the authorization is resumed. An ended one is the harder bar and is answered first.
 */
export function refuseSuspendedAuthorization(authorization: ProductAuthorizationState): AccessRefusal | null {
  return authorization.suspendedDatasetCodes.length === 0
    ? null
    : refuse(
        'authorization_suspended',
        `The data bureau has suspended the authorization of ${authorization.suspendedDatasetCodes.join(', ')} pending rectification (Art. 27)`,
      )
}

/**
 * An emergency stop (Art. 13; ADR 0029) of every metered product or of this one: 503, whoever calls. Checked right after
 * the product is known to be published, before any subscription, authorization or limit is looked at: a stop halts
 * the product whatever else is true, and a draft stays `not_found` (a stop reveals nothing).
 */
export function refuseEmergencyStop(stop: EmergencyStopAccess, product: ProductAccess): AccessRefusal | null {
  return stop.isPlatformWide || stop.productCodes.has(product.code)
    ? refuse('emergency_stop', 'This product is halted by an emergency stop (Art. 13); nothing was billed')
    : null
}

/**
 * The partner accepted the current agreement of each kind (or an earlier one, before the current one's accept-by date):
 * otherwise none of its subscriptions answers (ADR 0031).
 */
export function refuseUnacceptedAgreement(agreements: AgreementAccess, at: number): AccessRefusal | null {
  return decideAgreementStanding(agreements.versions, agreements.acceptedVersionIds, at).isBlocked
    ? refuse('agreement_not_accepted', 'The partner has not accepted the current agreements (Art. 22): see /partner/agreements')
    : null
}

/** A key without an allowlist may call from anywhere; a stored list that no longer parses admits nobody. */
export function refuseForeignAddress(key: KeyAccess, clientAddress: string | undefined): AccessRefusal | null {
  return key.ipAllowlist && !key.ipAllowlist.allows(clientAddress)
    ? refuse('ip_not_allowed', 'This API key may not be used from this address')
    : null
}

/**
 * The rules in ADR 0009's order; the first that refuses decides. Key (revoked, expired) → product published →
 * emergency stop (ADR 0029) →
 * subscription (missing, pending) → product retired or suspended → partner suspended → agreements accepted (ADR
 * 0031) → authorization (ended, then
 * suspended) → IP allowlist.
 */
export function decideAccess(state: AccessState, request: AccessRequest): AccessDecision {
  const { key } = state
  const keyRefusal = refuseRevokedKey(key, request.at) ?? refuseExpiredKey(key, request.at)
  if (keyRefusal) return keyRefusal

  const { product } = state
  if (product === undefined) return { kind: 'load', part: 'product' }
  if (product === null) return NOT_PUBLISHED
  const unpublished = refuseUnpublishedProduct(product)
  if (unpublished) return unpublished

  const { emergencyStop } = state
  if (emergencyStop === undefined) return { kind: 'load', part: 'emergency_stop' }
  const stopped = refuseEmergencyStop(emergencyStop, product)
  if (stopped) return stopped

  const { subscription } = state
  if (subscription === undefined) {
    const subscriptionId = key.subscriptionId ?? null
    return { kind: 'load', part: 'subscription', partnerId: key.partnerId, productId: product.id, subscriptionId }
  }
  if (subscription === null) return notSubscribed(product)
  const refusal =
    refuseEndedSubscription(subscription, key, product, request.at) ??
    refusePendingSubscription(subscription) ??
    refuseUnavailableProduct(product, request.at) ??
    refuseSuspendedPartner(key)
  if (refusal) return refusal

  const { agreements } = state
  if (agreements === undefined) return { kind: 'load', part: 'agreements', partnerId: key.partnerId }
  const unaccepted = refuseUnacceptedAgreement(agreements, request.at)
  if (unaccepted) return unaccepted

  const { authorization } = state
  if (authorization === undefined) return { kind: 'load', part: 'authorization', productId: product.id }
  const lastRefusal =
    refuseEndedAuthorization(authorization) ??
    refuseSuspendedAuthorization(authorization) ??
    refuseForeignAddress(key, request.clientAddress)
  if (lastRefusal) return lastRefusal

  return { kind: 'granted', product, subscription, authorizationCodes: authorization.authorizationCodes }
}
