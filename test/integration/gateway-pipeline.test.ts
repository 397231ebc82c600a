import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { count, eq } from 'drizzle-orm'
import {
  apiKeys,
  cityEnterprises,
  partners,
  plans,
  rejectedCallBuckets,
  rejectedCalls,
  subscriptions,
  usageEvents,
  users,
} from '#db/schema/index.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { createProductOperations } from '#gateway/products/index.ts'
import type { ProductOperation } from '#gateway/products/product-operation.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { revokeApiKey } from '#partner-access/keys/revoke-api-key.ts'
import { rollApiKey } from '#partner-access/keys/roll-api-key.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { suspendProduct } from '#partner-access/suspensions/suspend-product.ts'
import { resumeProduct } from '#partner-access/suspensions/resume-product.ts'
import { suspendPartner } from '#partner-access/suspensions/suspend-partner.ts'
import { resumePartner } from '#partner-access/suspensions/resume-partner.ts'
import { hashSubject } from '#gateway/limits/distinct-subjects.ts'
import { formatDay, HOUR_MS, startOfNextDay, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { checkResponseAgainstSpec } from '#test/support/openapi.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

const PATH = '/api/v1/verifications/enterprise'
const PRODUCT = 'verify-enterprise-identity'
const SUBJECT_KEY = 'pipeline-test-subject-key'
const cli = cliActor()
const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }
// Future instants on the Shanghai calendar (the seeded authorizations start when the test database was made).
const aMonthEnd = startOfNextMonth(startOfNextMonth(Date.now()))
const aNoon = startOfNextDay(Date.now()) + 12 * HOUR_MS

/** A test operation on the real product that declares its subject (the body's `subject`), for the distinct-subjects limit. */
const subjectProbe: ProductOperation = {
  operationId: 'subjectProbe',
  method: 'POST',
  path: '/api/v1/test/subject-probe',
  productCode: PRODUCT,
  readsBody: true,
  subjectOf: ({ body }) => (body as { subject?: string })?.subject,
  handle: async () => ({ status: 200, body: { ok: true } }),
}

describe('the call pipeline: keys, subscriptions, suspensions, authorizations, IP, limits', () => {
  let t: TestDatabase
  let server: Server | null = null
  let gateway: Gateway | null = null
  let baseUrl = ''
  let clockOffset = 0
  let enterprise: { uscc: string; name: string }
  let partnerId: string

  async function start() {
    gateway = createGateway({
      db: t.db,
      now: () => Date.now() + clockOffset,
      subjectHashKey: SUBJECT_KEY,
      operations: [...createProductOperations(t.db), subjectProbe],
    })
    const g = gateway
    server = createServer((req, res) => g.handle(req, res))
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  async function stop() {
    if (server) {
      server.closeAllConnections()
      await new Promise((r) => server!.close(r))
      server = null
    }
    if (gateway) await gateway.close()
    gateway = null
  }

  /** A restart: a new gateway (empty caches and counters) on the same database. */
  async function restart() {
    await stop()
    await start()
  }

  beforeEach(async () => {
    t = await createTestDatabase()
    clockOffset = 0
    const [row] = await t.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    enterprise = row!
    partnerId = (await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.id
    await t.db.insert(plans).values([
      {
        code: 'tiny-rate',
        nameZh: '测试限速',
        nameEn: 'Test rate',
        rateLimitPerMinute: 5,
        monthlyQuota: null,
        distinctSubjectsPerDay: 100,
      },
      {
        code: 'tiny-quota',
        nameZh: '测试配额',
        nameEn: 'Test quota',
        rateLimitPerMinute: 100,
        monthlyQuota: 3,
        distinctSubjectsPerDay: 2,
      },
    ])
    await start()
  })
  afterEach(async () => {
    await stop()
    t.destroy()
  })

  /**
   * A Retry-After counted on the gateway's clock, which was `seconds` before the deadline when it was set at
   * `clockSetAt` and has run on since: at most `seconds`, at least that less the whole seconds passed since. However
   * slow the calls in between, this cannot fail unless the header is wrong.
   */
  function expectSecondsLeft(retryAfter: number, seconds: number, clockSetAt: number) {
    expect(retryAfter).toBeLessThanOrEqual(seconds)
    expect(retryAfter).toBeGreaterThanOrEqual(seconds - Math.ceil((Date.now() - clockSetAt) / 1000))
  }

  const usageCount = async () => (await t.db.select({ n: count() }).from(usageEvents))[0]!.n
  const waitPastCache = () => new Promise((r) => setTimeout(r, 600))

  async function call(key: string, body: unknown = enterprise, path = PATH) {
    const res = await fetch(baseUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = await res.json()
    if (path === PATH) expect(checkResponseAgainstSpec('POST', PATH, res.status, json)).toEqual([])
    if (res.status >= 400) expect(json.error.requestId).toBe(res.headers.get('x-request-id'))
    return { res, json, status: res.status, code: json.error?.code as string | undefined }
  }

  async function newKey(opts: { partner?: string; ipAllowlist?: string; expiresOn?: string } = {}) {
    const id = opts.partner
      ? (await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, opts.partner)))[0]!.id
      : partnerId
    const created = await createApiKey(t.db, {
      partnerId: id,
      name: 'test',
      actor: cli,
      ipAllowlist: opts.ipAllowlist,
      expiresOn: opts.expiresOn,
    })
    if (!created.ok) throw new Error(created.error.message)
    return created.value
  }

  async function setPlan(planCode: string) {
    await t.db.update(subscriptions).set({ planCode }).where(eq(subscriptions.partnerId, partnerId))
    await waitPastCache()
  }

  it('answers with a request id and RateLimit headers, and meters the authorization trace', async () => {
    const { res, json, status } = await call(demoApiKey)
    expect(status).toBe(200)
    expect(json).toEqual({ match: true })
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/)
    expect(res.headers.get('ratelimit-limit')).toBe('600')
    expect(res.headers.get('ratelimit-remaining')).toBe('599')
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1)
    const [event] = await t.db.select().from(usageEvents)
    expect(event).toMatchObject({
      requestId: res.headers.get('x-request-id'),
      status: 200,
      datasetCodes: 'DS-SCJG-0001',
      sourceUnitCodes: 'market-regulation',
      authorizationCodes: 'SQ-SCJG-0001',
      purpose: 'industrial',
    })
  })

  it('keeps lastUsedAt off the hot path and writes it at close', async () => {
    const { id } = (await t.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, partnerId)))[0]!
    expect((await call(demoApiKey)).status).toBe(200)
    await stop()
    const [key] = await t.db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id))
    expect(key!.lastUsedAt).toBeGreaterThan(Date.now() - 60_000)
  })

  it('refuses a revoked key (key_revoked 401) and bills nothing', async () => {
    const key = await newKey()
    expect((await call(key.key)).status).toBe(200)
    const revoked = await revokeApiKey(t.db, { keyId: key.id, partnerId: null, actor: cli, reason: 'leaked' })
    expect(revoked.ok).toBe(true)
    await waitPastCache()
    const refused = await call(key.key)
    expect([refused.status, refused.code]).toEqual([401, 'key_revoked'])
    expect(await usageCount()).toBe(1)
  })

  it('keeps a rolled key valid through its grace period, then answers key_expired; the new key works', async () => {
    const old = await newKey()
    const rolled = await rollApiKey(t.db, { keyId: old.id, partnerId: null, graceHours: 2, actor: cli })
    if (!rolled.ok) throw new Error(rolled.error.message)
    expect((await call(old.key)).status).toBe(200)
    expect((await call(rolled.value.key)).status).toBe(200)
    clockOffset = 2 * 3_600_000 + 1000
    const expired = await call(old.key)
    expect([expired.status, expired.code]).toEqual([401, 'key_expired'])
    expect((await call(rolled.value.key)).status).toBe(200)
  })

  it('refuses an expired key with key_expired', async () => {
    // A key through tomorrow (Shanghai) works until the end of that day: the clock moves just past it.
    const key = await newKey({ expiresOn: formatDay(startOfNextDay(Date.now())) })
    expect((await call(key.key)).status).toBe(200)
    clockOffset = key.expiresAt! + 1000 - Date.now()
    const refused = await call(key.key)
    expect([refused.status, refused.code]).toEqual([401, 'key_expired'])
  })

  it('answers not_subscribed (403) to a partner without a subscription, or with a rejected one', async () => {
    const key = await newKey({ partner: 'huimin-service' })
    const none = await call(key.key)
    expect([none.status, none.code]).toEqual([403, 'not_subscribed'])
    const sub = await createSubscription(t.db, {
      partner: { code: 'huimin-service' },
      productCode: PRODUCT,
      purpose: 'public_interest',
      statement: '为社区养老服务机构核验合作企业身份（公共服务场景）',
      actor: cli,
    })
    if (!sub.ok) throw new Error(sub.error.message)
    await decideSubscription(t.db, {
      subscriptionId: sub.value.id,
      decision: 'reject',
      comment: '场景不属于公共治理',
      actor: bureau,
    })
    await waitPastCache()
    expect((await call(key.key)).code).toBe('not_subscribed')
    expect(await usageCount()).toBe(0)
  })

  it('answers subscription_pending (403) until the bureau approves a public-interest subscription, then meters it as public_interest', async () => {
    const key = await newKey({ partner: 'huimin-service' })
    const sub = await createSubscription(t.db, {
      partner: { code: 'huimin-service' },
      productCode: PRODUCT,
      purpose: 'public_interest',
      statement: '为社区养老服务机构核验合作企业身份（公共服务场景）',
      actor: cli,
    })
    if (!sub.ok) throw new Error(sub.error.message)
    expect(sub.value.state).toBe('pending')
    const pending = await call(key.key)
    expect([pending.status, pending.code]).toEqual([403, 'subscription_pending'])
    expect((await decideSubscription(t.db, { subscriptionId: sub.value.id, decision: 'approve', actor: bureau })).ok).toBe(true)
    await waitPastCache()
    expect((await call(key.key)).status).toBe(200)
    const [event] = await t.db.select().from(usageEvents)
    expect(event).toMatchObject({ purpose: 'public_interest', subscriptionId: sub.value.id })
  })

  it('answers product_suspended (423) while the bureau suspends the product, and again 200 after resuming', async () => {
    expect((await suspendProduct(t.db, { productCode: PRODUCT, reason: '核查数据质量问题', actor: bureau })).ok).toBe(true)
    await waitPastCache()
    const refused = await call(demoApiKey)
    expect([refused.status, refused.code]).toEqual([423, 'product_suspended'])
    expect((await resumeProduct(t.db, { productCode: PRODUCT, actor: bureau })).ok).toBe(true)
    await waitPastCache()
    expect((await call(demoApiKey)).status).toBe(200)
  })

  it('answers partner_suspended (423) to every key of a suspended partner', async () => {
    expect((await suspendPartner(t.db, { partnerCode: 'shengjing-tech', reason: '违规转售数据', actor: bureau })).ok).toBe(true)
    await waitPastCache()
    const refused = await call(demoApiKey)
    expect([refused.status, refused.code]).toEqual([423, 'partner_suspended'])
    expect((await resumePartner(t.db, { partnerCode: 'shengjing-tech', actor: bureau })).ok).toBe(true)
    await waitPastCache()
    expect((await call(demoApiKey)).status).toBe(200)
  })

  it('answers authorization_ended (451) once a dataset’s authorization is past its end', async () => {
    expect((await call(demoApiKey)).status).toBe(200)
    clockOffset = 3 * 365 * 86_400_000 // the seeded authorization runs just under 3 years
    await waitPastCache()
    const refused = await call(demoApiKey)
    expect([refused.status, refused.code]).toEqual([451, 'authorization_ended'])
    expect(refused.json.error.message).toContain('DS-SCJG-0001')
    expect(await usageCount()).toBe(1)
  })

  it('enforces the key’s IP allowlist (ip_not_allowed 403)', async () => {
    const elsewhere = await newKey({ ipAllowlist: '10.0.0.0/8, 2001:db8::/32' })
    const refused = await call(elsewhere.key)
    expect([refused.status, refused.code]).toEqual([403, 'ip_not_allowed'])
    const here = await newKey({ ipAllowlist: '127.0.0.0/8' })
    expect((await call(here.key)).status).toBe(200)
  })

  it('rate-limits per subscription over a sliding minute (rate_limited 429 with Retry-After), without billing refusals', async () => {
    await setPlan('tiny-rate')
    for (let i = 0; i < 5; i++) {
      const ok = await call(demoApiKey)
      expect(ok.status).toBe(200)
      expect(ok.res.headers.get('ratelimit-remaining')).toBe(String(4 - i))
      expect(ok.res.headers.get('ratelimit-limit')).toBe('5')
    }
    const refused = await call(demoApiKey)
    expect([refused.status, refused.code]).toEqual([429, 'rate_limited'])
    const retryAfter = Number(refused.res.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(refused.res.headers.get('ratelimit-remaining')).toBe('0')
    // A second key of the same partner shares the subscription's window: it does not double the plan (issue 9).
    const second = await call((await newKey()).key)
    expect([second.status, second.code]).toEqual([429, 'rate_limited'])
    // A minute later the window has slid past the burst.
    clockOffset = 61_000
    expect((await call(demoApiKey)).status).toBe(200)
    expect(await usageCount()).toBe(6)
    await gateway!.recorder.close()
    const [logged] = await t.db.select().from(rejectedCalls).where(eq(rejectedCalls.code, 'rate_limited'))
    expect(logged).toMatchObject({ status: 429, keyPrefix: demoApiKey.slice(0, 12) })
    expect(logged!.apiKeyId).not.toBeNull()
  })

  it('exhausts the monthly quota (quota_exhausted 429, Retry-After to the next Shanghai month); the count survives a restart', async () => {
    const clockSetAt = Date.now()
    clockOffset = aMonthEnd - 3_600_000 - clockSetAt
    await setPlan('tiny-quota')
    // A refused body is not an answered call: it does not use the quota.
    expect((await call(demoApiKey, { uscc: enterprise.uscc })).status).toBe(400)
    for (let i = 0; i < 3; i++) expect((await call(demoApiKey)).status).toBe(200)
    const refused = await call(demoApiKey)
    expect([refused.status, refused.code]).toEqual([429, 'quota_exhausted'])
    // An hour before the month's end when the clock was set, less however long the calls since took.
    expectSecondsLeft(Number(refused.res.headers.get('retry-after')), 3600, clockSetAt)

    await restart()
    expect((await call(demoApiKey)).code).toBe('quota_exhausted')
    // The next month: a new quota.
    clockOffset = aMonthEnd + 1000 - Date.now()
    expect((await call(demoApiKey)).status).toBe(200)
    expect(await usageCount()).toBe(4)
  })

  it('limits distinct subjects per subscription per day, across keys and rolls; a repeated subject is free; the keyed hash is stored and survives a restart', async () => {
    const clockSetAt = Date.now()
    clockOffset = aNoon - clockSetAt
    await setPlan('tiny-quota') // distinct subjects per day: 2 (quota 3 is not reached: 2 of the calls repeat)
    await t.db.update(plans).set({ monthlyQuota: null }).where(eq(plans.code, 'tiny-quota'))
    await waitPastCache()
    const probe = (subject: string) => call(demoApiKey, { subject }, subjectProbe.path)
    expect((await probe('91210102MA0QW8R76J')).status).toBe(200)
    expect((await probe('91210102MA0QW8R76J')).status).toBe(200)
    expect((await probe('912101027601234567')).status).toBe(200)
    const third = await probe('91210106MA0000001X')
    expect([third.status, third.code]).toEqual([429, 'rate_limited'])
    expect(third.json.error.fields).toEqual({ subject: 'distinct_subjects_per_day' })
    expectSecondsLeft(Number(third.res.headers.get('retry-after')), 12 * 3600, clockSetAt)

    const hashes = (await t.db.select({ h: usageEvents.subjectHash }).from(usageEvents)).map((r) => r.h)
    expect(hashes).toEqual([
      hashSubject(SUBJECT_KEY, '91210102MA0QW8R76J'),
      hashSubject(SUBJECT_KEY, '91210102MA0QW8R76J'),
      hashSubject(SUBJECT_KEY, '912101027601234567'),
    ])
    expect(hashes.join()).not.toContain('91210102MA0QW8R76J')

    // The limit is the subscription's: another key of the partner, or a rolled key, does not reset it (issue 9).
    const other = await newKey()
    expect((await call(other.key, { subject: '91210106MA0000001X' }, subjectProbe.path)).code).toBe('rate_limited')
    const rolled = await rollApiKey(t.db, { keyId: other.id, partnerId: null, actor: cli, graceHours: 0 })
    if (!rolled.ok) throw new Error(rolled.error.message)
    expect((await call(rolled.value.key, { subject: '91210106MA0000001X' }, subjectProbe.path)).code).toBe('rate_limited')

    await restart()
    expect((await probe('91210106MA0000001X')).code).toBe('rate_limited')
    expect((await probe('912101027601234567')).status).toBe(200)
    clockOffset = aNoon + 12 * 3_600_000 + 1000 - Date.now()
    expect((await probe('91210106MA0000001X')).status).toBe(200)
  })

  it('caps the active keys of a partner at the smallest max_active_keys of its active subscriptions’ plans', async () => {
    await t.db.update(plans).set({ maxActiveKeys: 3 }).where(eq(plans.code, 'tiny-rate'))
    await setPlan('tiny-rate')
    const activeNow = (await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partnerId))).length
    const results = []
    for (let i = activeNow; i < 4; i++) results.push(await createApiKey(t.db, { partnerId, name: `k${i}`, actor: cli }))
    const refused = results.at(-1)!
    expect(refused).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'key_limit_reached' } })
    expect(results.slice(0, -1).every((r) => r.ok)).toBe(true)
    expect((await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partnerId))).length).toBe(3)
    // A revoked key frees its place.
    const [some] = await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partnerId)).limit(1)
    expect((await revokeApiKey(t.db, { keyId: some!.id, partnerId: null, actor: cli })).ok).toBe(true)
    expect((await createApiKey(t.db, { partnerId, name: 'after revoke', actor: cli })).ok).toBe(true)
  })

  it('logs refusals of a known key to rejected_calls, counts anonymous ones in buckets, never as usage events', async () => {
    const huimin = await newKey({ partner: 'huimin-service' })
    await call(huimin.key)
    await call('sdp_nonsense')
    const unknown = await fetch(baseUrl + '/api/v1/no-such-thing', { method: 'POST' })
    expect(unknown.status).toBe(404)
    await gateway!.recorder.close()
    const rows = await t.db.select().from(rejectedCalls)
    expect(rows.map((r) => [r.code, r.apiKeyId, r.operation])).toEqual([['not_subscribed', huimin.id, 'verifyEnterprise']])
    expect(rows[0]!.clientIp).toContain('127.0.0.1')
    // Without a valid key a refusal is a count per minute, code and address prefix, not a row of its own.
    const buckets = await t.db.select().from(rejectedCallBuckets)
    expect(buckets.map((b) => [b.code, b.status, b.addressPrefix, b.count]).sort()).toEqual([
      ['invalid_key', 401, '127.0.0.0/24', 1],
      ['not_found', 404, '127.0.0.0/24', 1],
    ])
    expect(await usageCount()).toBe(0)
  })

  it('sees a revocation made elsewhere within 1 second (500 ms access cache)', async () => {
    const key = await newKey()
    expect((await call(key.key)).status).toBe(200)
    await revokeApiKey(t.db, { keyId: key.id, partnerId: null, actor: cli })
    // A call sent once the promise has run out must see it (a loaded machine only makes the call later).
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    expect((await call(key.key)).code).toBe('key_revoked')
  })

  it('refuses the developer of another partner (least privilege on keys)', async () => {
    const [dev] = await t.db.select().from(users).where(eq(users.username, 'partner.dev'))
    const huimin = await newKey({ partner: 'huimin-service' })
    const actor: Actor = { id: dev!.id, label: dev!.username, role: dev!.role, partnerId: dev!.partnerId }
    expect(await revokeApiKey(t.db, { keyId: huimin.id, partnerId: dev!.partnerId, actor })).toMatchObject({
      ok: false,
      error: { code: 'key_not_found' },
    })
    expect(await rollApiKey(t.db, { keyId: huimin.id, partnerId: dev!.partnerId, graceHours: 1, actor })).toMatchObject({
      ok: false,
      error: { code: 'key_not_found' },
    })
    expect((await call(huimin.key)).code).toBe('not_subscribed') // untouched: still not revoked
  })
})
