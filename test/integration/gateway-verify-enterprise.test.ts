import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { apiKeys, cityEnterprises, rejectedCallBuckets, rejectedCalls, usageEvents } from '#db/schema/index.ts'
import { checkResponseAgainstSpec } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { usccCheckChar } from '#platform/codes/uscc.ts'

const PATH = '/api/v1/verifications/enterprise'

describe('POST /api/v1/verifications/enterprise (walking skeleton)', () => {
  let h: GatewayHarness
  let enterprise: { uscc: string; name: string }

  beforeEach(async () => {
    h = await startGateway()
    const [row] = await h.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .limit(1)
    enterprise = row!
  })
  afterEach(() => h.stop())

  const usageCount = async () => (await h.database.db.select({ n: count() }).from(usageEvents))[0]!.n

  async function call(body: unknown, init: { key?: string | null; contentType?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' }
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? demoApiKey}`
    const res = await fetch(h.baseUrl + PATH, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    const json = await res.json()
    expect(checkResponseAgainstSpec('POST', PATH, res.status, json)).toEqual([])
    return { res, json }
  }

  it('answers match: true for a registered pair and records one usage event', async () => {
    const { data, response } = await h.client.POST(PATH, {
      body: enterprise,
      headers: { authorization: `Bearer ${demoApiKey}` },
    })
    expect(response.status).toBe(200)
    expect(data).toEqual({ match: true })
    expect(checkResponseAgainstSpec('POST', PATH, 200, data)).toEqual([])
    const requestId = response.headers.get('x-request-id')
    expect(requestId).toMatch(/^req_[0-9a-f]{32}$/)
    const events = await h.database.db.select().from(usageEvents)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      requestId,
      status: 200,
      calls: 1,
      records: 1,
      purpose: 'industrial',
      datasetCodes: 'DS-SCJG-0001',
      sourceUnitCodes: 'market-regulation',
    })
    expect(events[0]!.bytesOut).toBe(JSON.stringify({ match: true }).length)
  })

  it('never returns the registry record, only the verdict', async () => {
    const { json } = await call(enterprise)
    expect(Object.keys(json)).toEqual(['match'])
    expect(JSON.stringify(json)).not.toContain(enterprise.name)
  })

  it('answers match: false for a wrong name, and for an unregistered valid code', async () => {
    expect((await call({ uscc: enterprise.uscc, name: enterprise.name + '分公司' })).json).toEqual({ match: false })
    // A code with a correct check character that no enterprise holds.
    const first17 = '91210102YY0000000'
    const unregistered = first17 + usccCheckChar(first17)
    expect((await call({ uscc: unregistered, name: enterprise.name })).json).toEqual({ match: false })
    expect(await usageCount()).toBe(2)
  })

  it('treats half-width and full-width brackets alike', async () => {
    const [bracketed] = await h.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    const halfWidth = bracketed!.name.replace(/（/g, '(').replace(/）/g, ')')
    expect((await call({ uscc: bracketed!.uscc, name: halfWidth })).json).toEqual({ match: true })
  })

  it('rejects a missing, malformed, mistyped or unknown key with invalid_key (401) and bills nothing', async () => {
    const wrongChecksum = demoApiKey.slice(0, -1) + (demoApiKey.endsWith('A') ? 'B' : 'A')
    for (const key of [null, 'nonsense', wrongChecksum]) {
      const { res, json } = await call(enterprise, { key })
      expect(res.status).toBe(401)
      expect(json.error.code).toBe('invalid_key')
      expect(json.error.requestId).toBe(res.headers.get('x-request-id'))
    }
    const { generateApiKey } = await import('#platform/api-keys/api-key-format.ts')
    const { res, json } = await call(enterprise, { key: generateApiKey().key })
    expect(res.status).toBe(401)
    expect(json.error).toMatchObject({ code: 'invalid_key', message: 'Unknown API key' })
    expect(await usageCount()).toBe(0)
    await h.gateway.recorder.close()
    // No valid key: counted in the anonymous buckets (per minute, code, address prefix), not a row per request.
    expect(await h.database.db.select().from(rejectedCalls)).toEqual([])
    const buckets = await h.database.db.select().from(rejectedCallBuckets)
    expect(buckets.reduce((n, b) => n + (b.code === 'invalid_key' ? b.count : 0), 0)).toBe(4)
  })

  it('rejects a revoked key with key_revoked and an expired one with key_expired', async () => {
    await h.database.db.update(apiKeys).set({ revokedAt: Date.now() - 1 })
    await new Promise((r) => setTimeout(r, 600)) // past the access cache TTL
    const revoked = await call(enterprise)
    expect(revoked.res.status).toBe(401)
    expect(revoked.json.error.code).toBe('key_revoked')
    await h.database.db.update(apiKeys).set({ revokedAt: null, expiresAt: Date.now() - 1 })
    await new Promise((r) => setTimeout(r, 600))
    const expired = await call(enterprise)
    expect(expired.json.error.code).toBe('key_expired')
    expect(await usageCount()).toBe(0)
  })

  it('rejects malformed bodies with validation_failed (400) naming the field', async () => {
    const notJson = await call('{"uscc":', {})
    expect(notJson.res.status).toBe(400)
    expect(notJson.json.error).toMatchObject({ code: 'validation_failed', fields: { body: 'invalid_json' } })

    const missing = await call({ uscc: enterprise.uscc })
    expect(missing.res.status).toBe(400)
    expect(missing.json.error.fields).toHaveProperty('name')

    const badCheck = enterprise.uscc.slice(0, 17) + (enterprise.uscc.endsWith('0') ? '1' : '0')
    const bad = await call({ uscc: badCheck, name: enterprise.name })
    expect(bad.res.status).toBe(400)
    expect(bad.json.error.fields).toEqual({ uscc: 'check_digit' })
    expect(await usageCount()).toBe(0)
  })

  it('rejects other media types (415) and oversized bodies (413)', async () => {
    const text = await call('uscc=1', { contentType: 'text/plain' })
    expect(text.res.status).toBe(415)
    expect(text.json.error.code).toBe('unsupported_media_type')
    const big = await call({ uscc: enterprise.uscc, name: 'x'.repeat(70_000) })
    expect(big.res.status).toBe(413)
    expect(big.json.error.code).toBe('payload_too_large')
    expect(await usageCount()).toBe(0)
  })

  it('answers unknown paths with not_found and serves its own spec', async () => {
    const res = await fetch(h.baseUrl + '/api/v1/nothing-here', { method: 'POST' })
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('not_found')
    const spec = await fetch(h.baseUrl + '/api/v1/openapi.json')
    expect(spec.status).toBe(200)
    expect((await spec.json()).paths).toHaveProperty(PATH)
  })

  it('has exactly one usage event per 2xx under concurrent load', async () => {
    const calls = Array.from({ length: 200 }, (_, i) =>
      fetch(h.baseUrl + PATH, {
        method: 'POST',
        headers: { authorization: `Bearer ${i % 10 === 0 ? 'bad' : demoApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(enterprise),
      }),
    )
    const responses = await Promise.all(calls)
    const ok = responses.filter((r) => r.status === 200)
    expect(ok).toHaveLength(180)
    const ids = new Set(ok.map((r) => r.headers.get('x-request-id')))
    const events = await h.database.db.select({ requestId: usageEvents.requestId }).from(usageEvents)
    expect(events).toHaveLength(180)
    expect(new Set(events.map((e) => e.requestId))).toEqual(ids)
  })
})
