import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { usageEvents } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { reviewModelRelease } from '#sandbox/models/review-model-release.ts'
import { callGateway } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'

const REGISTRY = 'DS-SCJG-0001'
const TAX = 'DS-SW-0001'

/** Sandbox models through the metered API (ADR 0044): train, read, ask for release, download once. */
describe('/api/v1/sandbox/models', () => {
  let h: GatewayHarness
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    callGateway(h.baseUrl, method, path, { demoKey: demoApiKey, ...(body === undefined ? {} : { body }) })
  const spec = (kind: string, params?: Record<string, number>) => ({
    kind,
    from: REGISTRY,
    join: [{ dataset: TAX, on: 'uscc' }],
    features: [`${REGISTRY}.registered_capital_wan`, `${REGISTRY}.industry`, `${REGISTRY}.status`],
    label: { field: `${TAX}.rating`, positive: ['C', 'D'] },
    ...(params ? { params } : {}),
  })

  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(async () => {
    await h.stop()
  })

  it('trains metered by compute time, releases after review and downloads the artifact once', async () => {
    const trained = await call('POST', '/api/v1/sandbox/models', spec('logistic_regression'))
    expect(trained.res.status, JSON.stringify(trained.body)).toBe(201)
    expect(trained.body).toMatchObject({ state: 'trained', level: 'L3', checksPassed: true })
    const id: string = trained.body.id
    const [event] = await h.database.db.select().from(usageEvents).where(eq(usageEvents.operation, 'createSandboxModel'))
    expect(event!.computeMs).toBe(trained.body.computeMs)
    expect(event!.records).toBeGreaterThan(trained.body.trainRows)

    expect((await call('GET', `/api/v1/sandbox/models/${id}`)).body).toMatchObject({ id, state: 'trained' })
    expect((await call('GET', `/api/v1/sandbox/models/${id}/artifact`)).body.error.code).toBe('model_not_released')
    const requested = await call('POST', `/api/v1/sandbox/models/${id}/release-request`)
    expect(requested.res.status).toBe(202)
    expect(requested.body.state).toBe('pending_operator')
    expect((await call('POST', `/api/v1/sandbox/models/${id}/release-request`)).body.error.code).toBe('release_already_requested')

    const users = await h.database.db.all<{ id: string; role: 'operator' | 'bureau' }>(
      sql`select id, role from users where username in ('operator', 'bureau') order by role desc`,
    )
    for (const u of users) {
      const actor: Actor = { id: u.id, label: u.role, role: u.role }
      const r = await reviewModelRelease(h.database.db, { actor, modelId: id, decision: 'approve', now: Date.now() })
      if (!r.ok) throw new Error(r.error.code)
    }
    const file = await call('GET', `/api/v1/sandbox/models/${id}/artifact`)
    expect(file.res.status).toBe(200)
    expect(file.res.headers.get('content-disposition')).toContain(`model-${id}.json`)
    expect(file.body).toMatchObject({ model: id, artifact: { kind: 'logistic_regression', link: 'logit' } })
    const again = await call('GET', `/api/v1/sandbox/models/${id}/artifact`)
    expect(again.res.status).toBe(409)
    expect(again.body.error.code).toBe('artifact_already_downloaded')
  })

  it('refuses the release of a tree with tiny leaves, and answers 404 and 400 for what is not there', async () => {
    const tiny = await call('POST', '/api/v1/sandbox/models', spec('decision_tree', { maxDepth: 5, minLeafSize: 1 }))
    expect(tiny.res.status).toBe(201)
    const refused = await call('POST', `/api/v1/sandbox/models/${tiny.body.id}/release-request`)
    expect(refused.res.status).toBe(409)
    expect(refused.body.error).toMatchObject({ code: 'reversibility_check_failed', fields: { 'checks.min_leaf_size': 'failed' } })
    expect((await call('GET', '/api/v1/sandbox/models/3d5e7a12-4b6c-4f8e-9a01-2c3d4e5f6a7b')).res.status).toBe(404)
    const bad = await call('POST', '/api/v1/sandbox/models', {
      ...spec('decision_tree'),
      features: [`${REGISTRY}.legal_rep_name`],
    })
    expect(bad.res.status).toBe(400)
    expect(bad.body.error.code).toBe('validation_failed')
  })
})
