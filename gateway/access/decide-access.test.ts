import { describe, expect, it } from 'vitest'
import { compileIpAllowlist } from '#platform/api-keys/ip-allowlist.ts'
import {
  decideAccess,
  refuseEmergencyStop,
  refuseEndedAuthorization,
  refuseEndedSubscription,
  refuseExpiredKey,
  refuseForeignAddress,
  refusePendingSubscription,
  refuseRevokedKey,
  refuseSuspendedAuthorization,
  refuseSuspendedPartner,
  refuseUnavailableProduct,
  refuseUnpublishedProduct,
  type AccessDecision,
  type AccessState,
} from './decide-access.ts'
import type { KeyAccess, ProductAccess, SubscriptionAccess } from './load-access.ts'
import { NO_EMERGENCY_STOP } from './load-emergency-stop.ts'

const AT = Date.UTC(2026, 10, 28, 2)
const LATER = AT + 1
const EARLIER = AT - 1

const key: KeyAccess = {
  id: 'key-1',
  partnerId: 'partner-1',
  partnerState: 'active',
  expiresAt: null,
  revokedAt: null,
  ipAllowlist: null,
}
const product: ProductAccess = {
  id: 'product-1',
  code: 'verify-enterprise-identity',
  state: 'published',
  suspendedAt: null,
  datasetCodes: 'DS-A',
  sourceUnitCodes: 'unit-a',
}
const subscription: SubscriptionAccess = {
  id: 'sub-1',
  purpose: 'industrial',
  state: 'active',
  rateLimitPerMinute: 60,
  monthlyQuota: null,
  distinctSubjectsPerDay: 100,
}
const inForce = { ok: true, endedDatasetCodes: [], suspendedDatasetCodes: [], authorizationCodes: ['AUTH-1'] }
const ended = { ok: false, endedDatasetCodes: ['DS-A', 'DS-B'], suspendedDatasetCodes: [], authorizationCodes: [] }
const suspended = { ok: false, endedDatasetCodes: [], suspendedDatasetCodes: ['DS-A'], authorizationCodes: ['AUTH-1'] }
const running = NO_EMERGENCY_STOP
const v1 = { id: 'coop-1', kind: 'cooperation' as const, version: 1, effectiveAt: EARLIER - 1000, acceptBy: null }
const s1 = { id: 'svc-1', kind: 'platform_service' as const, version: 1, effectiveAt: EARLIER - 1000, acceptBy: null }
const accepted = { versions: [v1, s1], acceptedVersionIds: new Set(['coop-1', 'svc-1']) }
const unaccepted = { versions: [v1, s1], acceptedVersionIds: new Set(['svc-1']) }
const loaded: AccessState = { key, product, emergencyStop: running, subscription, agreements: accepted, authorization: inForce }
const request = { at: AT, clientAddress: '10.0.0.7' }

const codeOf = (decision: AccessDecision) => (decision.kind === 'refused' ? decision.code : decision.kind)

describe('the access rules, one by one', () => {
  it('refuses a key revoked at or before the call, not one revoked later', () => {
    expect(refuseRevokedKey({ ...key, revokedAt: AT }, AT)).toMatchObject({ code: 'key_revoked' })
    expect(refuseRevokedKey({ ...key, revokedAt: EARLIER }, AT)).toMatchObject({ code: 'key_revoked' })
    expect(refuseRevokedKey({ ...key, revokedAt: LATER }, AT)).toBeNull()
    expect(refuseRevokedKey(key, AT)).toBeNull()
  })

  it('refuses a key past its expiry (a rolled key past its grace period), not one still in it', () => {
    expect(refuseExpiredKey({ ...key, expiresAt: AT }, AT)).toMatchObject({ code: 'key_expired' })
    expect(refuseExpiredKey({ ...key, expiresAt: LATER }, AT)).toBeNull()
    expect(refuseExpiredKey(key, AT)).toBeNull()
  })

  it('hides drafts and products under review; published, retired and suspended ones are visible', () => {
    for (const state of ['draft', 'under_review'] as const)
      expect(refuseUnpublishedProduct({ ...product, state })).toEqual({
        kind: 'refused',
        code: 'not_found',
        message: 'This product is not published',
      })
    for (const state of ['published', 'retired'] as const) expect(refuseUnpublishedProduct({ ...product, state })).toBeNull()
  })

  it('takes a rejected or ended subscription, or any of an exited partner, for none', () => {
    for (const state of ['rejected', 'ended'] as const)
      expect(refuseEndedSubscription({ ...subscription, state }, key, product)).toEqual({
        kind: 'refused',
        code: 'not_subscribed',
        message: 'No active subscription to verify-enterprise-identity',
      })
    expect(refuseEndedSubscription(subscription, { ...key, partnerState: 'exited' }, product)).toMatchObject({
      code: 'not_subscribed',
    })
    expect(refuseEndedSubscription({ ...subscription, state: 'pending' }, key, product)).toBeNull()
    // A cancelled subscription answers until its end, not from then (ADR 0032).
    expect(refuseEndedSubscription({ ...subscription, endsAt: LATER }, key, product, AT)).toBeNull()
    expect(refuseEndedSubscription({ ...subscription, endsAt: AT }, key, product, AT)).toMatchObject({ code: 'not_subscribed' })
    expect(refuseEndedSubscription(subscription, { ...key, partnerState: 'suspended' }, product)).toBeNull()
  })

  it('refuses a subscription awaiting the bureau', () => {
    expect(refusePendingSubscription({ ...subscription, state: 'pending' })).toMatchObject({ code: 'subscription_pending' })
    expect(refusePendingSubscription(subscription)).toBeNull()
  })

  it('refuses a retired product and one suspended at or before the call', () => {
    expect(refuseUnavailableProduct({ ...product, state: 'retired' }, AT)).toEqual({
      kind: 'refused',
      code: 'product_suspended',
      message: 'This product is retired',
    })
    expect(refuseUnavailableProduct({ ...product, suspendedAt: AT }, AT)).toEqual({
      kind: 'refused',
      code: 'product_suspended',
      message: 'The data bureau has suspended this product',
    })
    expect(refuseUnavailableProduct({ ...product, suspendedAt: LATER }, AT)).toBeNull()
    expect(refuseUnavailableProduct(product, AT)).toBeNull()
  })

  it('refuses a suspended partner', () => {
    expect(refuseSuspendedPartner({ ...key, partnerState: 'suspended' })).toMatchObject({ code: 'partner_suspended' })
    expect(refuseSuspendedPartner(key)).toBeNull()
  })

  it('refuses a product whose datasets are not all under an authorization in force, naming them', () => {
    expect(refuseEndedAuthorization(ended)).toEqual({
      kind: 'refused',
      code: 'authorization_ended',
      message: 'The authorization of DS-A, DS-B is not in force (Art. 17)',
    })
    expect(refuseEndedAuthorization(inForce)).toBeNull()
  })

  it('refuses a product one of whose authorizations in force the bureau suspended (ADR 0028), naming the dataset', () => {
    expect(refuseSuspendedAuthorization(suspended)).toMatchObject({ kind: 'refused', code: 'authorization_suspended' })
    expect(refuseSuspendedAuthorization(suspended)?.message).toContain('DS-A')
    expect(refuseSuspendedAuthorization(inForce)).toBeNull()
    expect(refuseEndedAuthorization(suspended)).toBeNull()
    // Ended and suspended at once: the harder bar is answered.
    const both = { ...ended, suspendedDatasetCodes: ['DS-A'] }
    expect(codeOf(decideAccess({ ...loaded, authorization: both }, request))).toBe('authorization_ended')
  })

  it('admits any address without an allowlist, only listed ones with one, none with a list that no longer parses', () => {
    expect(refuseForeignAddress(key, '203.0.113.9')).toBeNull()
    const listed = { ...key, ipAllowlist: compileIpAllowlist('10.0.0.0/24') }
    expect(refuseForeignAddress(listed, '10.0.0.7')).toBeNull()
    expect(refuseForeignAddress(listed, '::ffff:10.0.0.7')).toBeNull()
    expect(refuseForeignAddress(listed, '10.0.1.7')).toMatchObject({ code: 'ip_not_allowed' })
    expect(refuseForeignAddress(listed, undefined)).toMatchObject({ code: 'ip_not_allowed' })
    const broken = { ...key, ipAllowlist: compileIpAllowlist('not a cidr') }
    expect(refuseForeignAddress(broken, '10.0.0.7')).toMatchObject({ code: 'ip_not_allowed' })
  })
})

describe('decideAccess', () => {
  it('grants a call that passes every rule, with the product, subscription and authorizations for its lineage', () => {
    expect(decideAccess(loaded, request)).toEqual({
      kind: 'granted',
      product,
      subscription,
      authorizationCodes: ['AUTH-1'],
    })
  })

  it('asks for each part of the state only once every earlier rule has passed', () => {
    expect(decideAccess({ key }, request)).toEqual({ kind: 'load', part: 'product' })
    expect(decideAccess({ key, product }, request)).toEqual({ kind: 'load', part: 'emergency_stop' })
    expect(decideAccess({ key, product, emergencyStop: running }, request)).toEqual({
      kind: 'load',
      part: 'subscription',
      partnerId: 'partner-1',
      productId: 'product-1',
      subscriptionId: null,
    })
    // A key bound to a subscription (ADR 0032) asks for that one.
    expect(decideAccess({ key: { ...key, subscriptionId: 'sub-9' }, product, emergencyStop: running }, request)).toMatchObject({
      part: 'subscription',
      subscriptionId: 'sub-9',
    })
    expect(decideAccess({ key, product, emergencyStop: running, subscription }, request)).toEqual({
      kind: 'load',
      part: 'agreements',
      partnerId: 'partner-1',
    })
    expect(decideAccess({ key, product, emergencyStop: running, subscription, agreements: accepted }, request)).toEqual({
      kind: 'load',
      part: 'authorization',
      productId: 'product-1',
    })
    // A key refused on its own state costs no product lookup; a hidden product no subscription lookup, and so on.
    expect(codeOf(decideAccess({ key: { ...key, revokedAt: AT } }, request))).toBe('key_revoked')
    expect(codeOf(decideAccess({ key, product: null }, request))).toBe('not_found')
    expect(codeOf(decideAccess({ key, product, emergencyStop: running, subscription: null }, request))).toBe('not_subscribed')
    expect(
      codeOf(
        decideAccess({ key: { ...key, partnerState: 'suspended' }, product, emergencyStop: running, subscription }, request),
      ),
    ).toBe('partner_suspended')
  })

  it('answers an unknown product as it answers an unpublished one', () => {
    expect(decideAccess({ key, product: null }, request)).toEqual(
      decideAccess({ ...loaded, product: { ...product, state: 'draft' } }, request),
    )
  })

  // Each case adds one more failing condition, each earlier in ADR 0009's order than the last: the earliest wins.
  const failures: [string, (s: AccessState) => AccessState][] = [
    ['ip_not_allowed', (s) => ({ ...s, key: { ...s.key, ipAllowlist: compileIpAllowlist('192.0.2.0/24') } })],
    ['authorization_suspended', (s) => ({ ...s, authorization: suspended })],
    ['authorization_ended', (s) => ({ ...s, authorization: ended })],
    ['agreement_not_accepted', (s) => ({ ...s, agreements: unaccepted })],
    ['partner_suspended', (s) => ({ ...s, key: { ...s.key, partnerState: 'suspended' } })],
    ['product_suspended', (s) => ({ ...s, product: { ...s.product!, suspendedAt: EARLIER } })],
    ['subscription_pending', (s) => ({ ...s, subscription: { ...s.subscription!, state: 'pending' } })],
    ['not_subscribed', (s) => ({ ...s, subscription: { ...s.subscription!, state: 'ended' } })],
    ['emergency_stop', (s) => ({ ...s, emergencyStop: { isPlatformWide: true, productCodes: new Set<string>() } })],
    ['not_found', (s) => ({ ...s, product: { ...s.product!, state: 'under_review' } })],
    ['key_expired', (s) => ({ ...s, key: { ...s.key, expiresAt: EARLIER } })],
    ['key_revoked', (s) => ({ ...s, key: { ...s.key, revokedAt: EARLIER } })],
  ]

  it('refuses with the earliest rule in ADR 0009’s order when several apply', () => {
    let state = loaded
    for (const [code, fail] of failures) {
      state = fail(state)
      expect(codeOf(decideAccess(state, request)), code).toBe(code)
    }
  })

  it('refuses with each rule alone', () => {
    for (const [code, fail] of failures) expect(codeOf(decideAccess(fail(loaded), request)), code).toBe(code)
  })

  it('takes a retired product for suspended, after the subscription checks', () => {
    const retired = { ...loaded, product: { ...product, state: 'retired' as const } }
    expect(codeOf(decideAccess(retired, request))).toBe('product_suspended')
    expect(codeOf(decideAccess({ ...retired, subscription: { ...subscription, state: 'pending' } }, request))).toBe(
      'subscription_pending',
    )
  })

  it('answers an exited partner not_subscribed, also with a pending subscription or none', () => {
    const exited = { ...key, partnerState: 'exited' as const }
    expect(codeOf(decideAccess({ ...loaded, key: exited }, request))).toBe('not_subscribed')
    expect(codeOf(decideAccess({ ...loaded, key: exited, subscription: { ...subscription, state: 'pending' } }, request))).toBe(
      'not_subscribed',
    )
    expect(codeOf(decideAccess({ key: exited, product, emergencyStop: running, subscription: null }, request))).toBe(
      'not_subscribed',
    )
  })

  it('judges time-bound states at the call’s instant', () => {
    const bound = { ...loaded, key: { ...key, expiresAt: AT + 1000 }, product: { ...product, suspendedAt: AT + 1000 } }
    expect(codeOf(decideAccess(bound, request))).toBe('granted')
    expect(codeOf(decideAccess(bound, { ...request, at: AT + 1000 }))).toBe('key_expired')
    const suspendedLater = { ...loaded, product: { ...product, suspendedAt: AT + 1000 } }
    expect(codeOf(decideAccess(suspendedLater, { ...request, at: AT + 1000 }))).toBe('product_suspended')
  })
})

describe('the emergency stop (Art. 13; ADR 0029)', () => {
  const stopOf = (codes: string[], isPlatformWide = false) => ({ isPlatformWide, productCodes: new Set(codes) })

  it('halts every product with a platform-wide stop, and only the named ones otherwise', () => {
    expect(refuseEmergencyStop(stopOf([], true), product)).toMatchObject({ code: 'emergency_stop' })
    expect(refuseEmergencyStop(stopOf([product.code]), product)).toMatchObject({ code: 'emergency_stop' })
    expect(refuseEmergencyStop(stopOf(['another-product']), product)).toBeNull()
    expect(refuseEmergencyStop(running, product)).toBeNull()
  })

  it('comes before the subscription and everything after it, and after a hidden product and a dead key', () => {
    const stopped = { ...loaded, emergencyStop: stopOf([product.code]) }
    expect(codeOf(decideAccess(stopped, request))).toBe('emergency_stop')
    expect(codeOf(decideAccess({ key, product, emergencyStop: stopOf([product.code]) }, request))).toBe('emergency_stop')
    expect(codeOf(decideAccess({ ...stopped, product: { ...product, state: 'draft' } }, request))).toBe('not_found')
    expect(codeOf(decideAccess({ ...stopped, key: { ...key, revokedAt: EARLIER } }, request))).toBe('key_revoked')
  })
})

describe('the agreements (Art. 22; ADR 0031)', () => {
  const v2 = { ...v1, id: 'coop-2', version: 2, effectiveAt: EARLIER, acceptBy: AT + 1000 }
  const withV2 = { versions: [v1, s1, v2], acceptedVersionIds: new Set(['coop-1', 'svc-1']) }

  it('refuses a partner that has not accepted the current version of a kind, and asks nothing when no version is in force', () => {
    expect(codeOf(decideAccess({ ...loaded, agreements: unaccepted }, request))).toBe('agreement_not_accepted')
    expect(codeOf(decideAccess({ ...loaded, agreements: { versions: [], acceptedVersionIds: new Set() } }, request))).toBe(
      'granted',
    )
    const future = { ...v1, effectiveAt: LATER }
    expect(codeOf(decideAccess({ ...loaded, agreements: { versions: [future], acceptedVersionIds: new Set() } }, request))).toBe(
      'granted',
    )
  })

  it('honours an earlier acceptance until the new version’s accept-by date, then refuses until it is accepted', () => {
    expect(codeOf(decideAccess({ ...loaded, agreements: withV2 }, request))).toBe('granted')
    expect(codeOf(decideAccess({ ...loaded, agreements: withV2 }, { ...request, at: AT + 1000 }))).toBe('agreement_not_accepted')
    const both = { ...withV2, acceptedVersionIds: new Set(['coop-1', 'svc-1', 'coop-2']) }
    expect(codeOf(decideAccess({ ...loaded, agreements: both }, { ...request, at: AT + 1000 }))).toBe('granted')
    // A partner that never accepted any version of the kind has no grace.
    const never = { ...withV2, acceptedVersionIds: new Set(['svc-1']) }
    expect(codeOf(decideAccess({ ...loaded, agreements: never }, request))).toBe('agreement_not_accepted')
  })
})
