import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { count, eq } from 'drizzle-orm'
import { cityEnterprises, partners, usageEvents } from '#db/schema/index.ts'
import { ACCESS_TTL_MS, createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { revokeApiKey } from '#partner-access/keys/revoke-api-key.ts'
import { suspendProduct } from '#partner-access/suspensions/suspend-product.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// ADR 0040: a granted access state decides the next calls of its key and product alone, but only until the oldest
// cache entry it was assembled from expires. Date is faked (timers are not): the caches and the kept state read the
// same clock, so the edges of the window are exact.

const PATH = '/api/v1/verifications/enterprise'
const PRODUCT = 'verify-enterprise-identity'
const cli = cliActor()
const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }

describe('a granted access state decides alone only while every cache entry it came from is fresh (ADR 0040)', () => {
  let t: TestDatabase
  let server: Server
  let gateway: Gateway
  let baseUrl = ''
  let body = ''
  let partnerId = ''

  beforeEach(async () => {
    t = await createTestDatabase()
    const [row] = await t.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    body = JSON.stringify(row)
    partnerId = (await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.id
    // The call's clock is Date.now read at call time, so the faked Date below is the gateway's clock too (a captured
    // real Date.now would make the suspension's time and the call's disagree by however long the test has run).
    gateway = createGateway({ db: t.db, now: () => Date.now() })
    const g = gateway
    server = createServer((req, res) => g.handle(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
  })
  afterEach(async () => {
    vi.useRealTimers()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await gateway.close()
    t.destroy()
  })

  async function newKey() {
    const created = await createApiKey(t.db, { partnerId, name: 'granted-state', actor: cli })
    if (!created.ok) throw new Error(created.error.message)
    return created.value
  }
  async function call(key: string) {
    const res = await fetch(baseUrl + PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code }
  }
  const events = async () => (await t.db.select({ n: count() }).from(usageEvents))[0]!.n

  it('a revocation: still answered 1 ms before the caches expire (as before), refused from that instant on', async () => {
    const key = await newKey()
    const t0 = Date.now()
    expect(await call(key.key)).toEqual({ status: 200, code: undefined })
    expect((await revokeApiKey(t.db, { keyId: key.id, partnerId: null, actor: cli })).ok).toBe(true)
    vi.setSystemTime(t0 + ACCESS_TTL_MS - 1)
    expect((await call(key.key)).status).toBe(200)
    vi.setSystemTime(t0 + ACCESS_TTL_MS)
    expect(await call(key.key)).toEqual({ status: 401, code: 'key_revoked' })
    expect(await events()).toBe(2)
  })

  it('a state built from entries of different ages expires with the oldest, not the newest', async () => {
    const first = await newKey()
    const second = await newKey()
    const t0 = Date.now()
    // Loads the product, stops, subscription, agreements and authorization at t0.
    expect((await call(first.key)).status).toBe(200)
    vi.setSystemTime(t0 + 300)
    // The second key is loaded now (t0 + 300); everything else comes from the entries of t0.
    expect((await call(second.key)).status).toBe(200)
    expect((await suspendProduct(t.db, { productCode: PRODUCT, reason: '核查数据质量问题', actor: bureau })).ok).toBe(true)
    vi.setSystemTime(t0 + ACCESS_TTL_MS - 1)
    expect((await call(second.key)).status).toBe(200)
    // The product's entry (t0) has expired: the second key's state (its own entry still fresh) must not outlive it.
    vi.setSystemTime(t0 + ACCESS_TTL_MS)
    expect(await call(second.key)).toEqual({ status: 423, code: 'product_suspended' })
    expect(await call(first.key)).toEqual({ status: 423, code: 'product_suspended' })
  })
})
