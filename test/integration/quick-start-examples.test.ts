import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { partners, products } from '#db/schema/index.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { quickStartRequest, curlLine } from '#app/lib/quick-start.ts'
import { startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

// The developer's quick-start examples run as written (issue 16): every published product's catalog example, turned
// into a request by the same function the page uses, answers 2xx through the gateway with a key of the partner.
describe('quick-start examples', () => {
  let h: GatewayHarness
  let key = ''
  let published: { code: string; apiPath: string | null; exampleRequest: string | null }[] = []

  beforeAll(async () => {
    h = await startGateway()
    const { db } = h.database
    const [partner] = await db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech'))
    published = await db
      .select({ code: products.code, apiPath: products.apiPath, exampleRequest: products.exampleRequest })
      .from(products)
      .where(eq(products.state, 'published'))
    // A developer of a partner subscribed to each of them (industrial; an existing subscription is kept).
    for (const p of published)
      await createSubscription(db, {
        partner: { id: partner!.id },
        productCode: p.code,
        purpose: 'industrial',
        scenario: '快速入门示例测试',
        actor: cliActor(),
      })
    const created = await createApiKey(db, { partnerId: partner!.id, name: 'quick start', actor: cliActor() })
    if (!created.ok) throw new Error(created.error.code)
    key = created.value.key
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
  })
  afterAll(() => h?.stop())

  it('fills path parameters from the example and leaves no placeholder in any curl line', () => {
    expect(quickStartRequest('POST /api/v1/components/{view}/query', '{"view":"enterprises","groupBy":["district"]}')).toEqual({
      method: 'POST',
      path: '/api/v1/components/enterprises/query',
      body: '{"groupBy":["district"]}',
    })
    expect(
      quickStartRequest(
        'GET /api/v1/services/traffic-flow/{segment}',
        '{"segment":"SY-1","from":"2026-10-29","granularity":"day"}',
      ),
    ).toEqual({ method: 'GET', path: '/api/v1/services/traffic-flow/SY-1?from=2026-10-29&granularity=day', body: null })
    for (const p of published.filter((x) => x.apiPath)) {
      const line = curlLine('https://example.cn', 'sdp_abc', quickStartRequest(p.apiPath!, p.exampleRequest))
      expect([p.code, line]).not.toEqual([p.code, expect.stringMatching(/\{\w+\}/)])
    }
  })

  it('every published product’s example answers 2xx as written', async () => {
    const withPath = published.filter((p) => p.apiPath)
    expect(withPath.length).toBeGreaterThanOrEqual(6)
    const answers: Record<string, number> = {}
    for (const p of withPath) {
      const r = quickStartRequest(p.apiPath!, p.exampleRequest)
      const res = await fetch(h.baseUrl + r.path, {
        method: r.method,
        headers: { authorization: `Bearer ${key}`, ...(r.body !== null ? { 'content-type': 'application/json' } : {}) },
        body: r.body ?? undefined,
      })
      answers[p.code] = res.status
      await res.arrayBuffer()
    }
    const failing = Object.entries(answers).filter(([, status]) => status < 200 || status >= 300)
    expect(failing).toEqual([])
  })
})
