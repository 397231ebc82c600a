import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import type { EnterpriseRow } from '#source-systems/simulated/generate-city.ts'
import { createProductOperations } from '#gateway/products/index.ts'
import { makeIdCard } from '#platform/codes/id-card.ts'
import { callGateway, expectConformsToSpec } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { plainCity, plainEnterprise } from '#test/support/plain-city.ts'

const PATH = '/api/v1/verifications/legal-representative'

describe('POST /api/v1/verifications/legal-representative', () => {
  let h: GatewayHarness
  // The store holds the representative sealed: the requests carry the values the seed generator made.
  let e: EnterpriseRow
  beforeEach(async () => {
    h = await startGateway()
    const [row] = await h.database.db.select().from(cityEnterprises).where(eq(cityEnterprises.status, 'active')).limit(1)
    e = plainEnterprise(row!.uscc)
  })
  afterEach(() => h.stop())

  const check = (body: unknown) => callGateway(h.baseUrl, 'POST', PATH, { demoKey: demoApiKey, body })

  it('answers match: true for the registered representative, through the typed client, and meters one record', async () => {
    const { data, response } = await h.client.POST(PATH, {
      body: { uscc: e.uscc, personName: e.legalRepName, idNumber: e.legalRepIdCard },
      headers: { authorization: `Bearer ${demoApiKey}` },
    })
    expectConformsToSpec('POST', PATH, response, data)
    expect(data).toEqual({ match: true })
    const [event] = await h.database.db
      .select()
      .from(usageEvents)
      .where(eq(usageEvents.requestId, response.headers.get('x-request-id')!))
    expect(event).toMatchObject({ status: 200, records: 1, fieldsMasked: 0, datasetCodes: 'DS-SCJG-0001' })
  })

  it('accepts a lower-case x and spaces in the name', async () => {
    const withX = plainCity().enterprises.find((x) => x.legalRepIdCard.endsWith('X'))
    const spaced = [...withX!.legalRepName].join(' ')
    expect(
      (await check({ uscc: withX!.uscc.toLowerCase(), personName: spaced, idNumber: withX!.legalRepIdCard.toLowerCase() })).body,
    ).toEqual({ match: true })
  })

  it('answers only match: false — whichever item is wrong — and never the registered values', async () => {
    const other = plainCity().enterprises.find((x) => x.legalRepIdCard !== e.legalRepIdCard)
    const otherId = makeIdCard({ divisionCode: '210102', birth: '19800101', sequence3: 123 })
    for (const body of [
      { uscc: e.uscc, personName: e.legalRepName + '明', idNumber: e.legalRepIdCard },
      { uscc: e.uscc, personName: e.legalRepName, idNumber: otherId },
      { uscc: other!.uscc, personName: e.legalRepName, idNumber: e.legalRepIdCard },
    ]) {
      const { res, body: answer } = await check(body)
      expect(res.status).toBe(200)
      expect(answer).toEqual({ match: false })
    }
  })

  it('rejects a bad ID number, a bad code, a missing field and an unknown field (400), billing none', async () => {
    const badCheck = e.legalRepIdCard.slice(0, 17) + (e.legalRepIdCard.endsWith('0') ? '1' : '0')
    const bad = await check({ uscc: e.uscc, personName: e.legalRepName, idNumber: badCheck })
    expect(bad.res.status).toBe(400)
    expect(bad.body.error.fields).toEqual({ idNumber: 'check_digit' })
    const shape = await check({ uscc: e.uscc, personName: e.legalRepName, idNumber: '12345' })
    expect(shape.body.error.fields).toEqual({ idNumber: 'invalid_string' })
    const uscc = await check({
      uscc: e.uscc.slice(0, 17) + (e.uscc.endsWith('0') ? '1' : '0'),
      personName: 'x',
      idNumber: e.legalRepIdCard,
    })
    expect(uscc.body.error.fields).toEqual({ uscc: 'check_digit' })
    const missing = await check({ uscc: e.uscc, idNumber: e.legalRepIdCard })
    expect(missing.body.error.fields).toEqual({ personName: 'required' })
    const extra = await check({ uscc: e.uscc, personName: 'x', idNumber: e.legalRepIdCard, phone: '13900000000' })
    // The spec's additionalProperties: false is enforced by the gateway, naming the unknown property.
    expect(extra.body.error.fields).toEqual({ phone: 'unknown_property' })
    expect(await h.database.db.select().from(usageEvents)).toHaveLength(0)
  })
})

describe('verification operations declare their subject (the core counts distinct subjects per key per day)', () => {
  it('is the normalised USCC of the body, before any handler runs', async () => {
    const h = await startGateway()
    try {
      const ops = createProductOperations(h.database.db)
      const verifications = ops.filter((op) => op.path.startsWith('/api/v1/verifications/'))
      expect(verifications.map((op) => op.operationId).sort()).toEqual(['verifyEnterprise', 'verifyLegalRepresentative'])
      for (const op of verifications) {
        expect(op.subjectOf?.({ body: { uscc: ' 91210102ma0qw8r76j ' }, params: {} })).toBe('91210102MA0QW8R76J')
        expect(op.subjectOf?.({ body: { name: 'x' }, params: {} })).toBeUndefined()
        expect(op.subjectOf?.({ body: null, params: {} })).toBeUndefined()
      }
      // No other operation is limited by subjects.
      expect(ops.filter((op) => op.subjectOf).length).toBe(2)
    } finally {
      await h.stop()
    }
  })
})
