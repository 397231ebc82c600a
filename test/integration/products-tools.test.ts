import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import { callGateway, expectConformsToSpec } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'

const ADDRESS = '/api/v1/tools/address-standardize'
const USCC = '/api/v1/tools/uscc-validate'

describe('tool products', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(() => h.stop())

  const post = (path: string, body: unknown) => callGateway(h.baseUrl, 'POST', path, { demoKey: demoApiKey, body })

  it('standardises a registry address back to itself, with the district code', async () => {
    const rows = await h.database.db
      .select({ address: cityEnterprises.address, district: cityEnterprises.districtCode })
      .from(cityEnterprises)
      .limit(20)
    for (const row of rows) {
      const { body } = await post(ADDRESS, {
        address: row.address.replace('沈阳市', '沈阳 ').replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
      })
      expect(body.standardized).toBe(row.address)
      expect(body.district.code).toBe(row.district)
      expect(body.matchedBy).toBe('district')
    }
  })

  it('infers the district from a street unique to one, and lists the candidates of a shared one', async () => {
    const { data, response } = await h.client.POST(ADDRESS, {
      body: { address: '三好街8号' },
      headers: { authorization: `Bearer ${demoApiKey}` },
    })
    expectConformsToSpec('POST', ADDRESS, response, data)
    expect(data).toMatchObject({
      standardized: '沈阳市和平区三好街8号',
      district: { code: '210102' },
      street: '三好街',
      houseNumber: '8',
      matchedBy: 'street',
    })
    const shared = await post(ADDRESS, { address: '青年大街1号' })
    expect(shared.body).toMatchObject({ standardized: null, district: null, street: '青年大街', matchedBy: 'none' })
    expect(shared.body.candidates.map((c: { code: string }) => c.code).sort()).toEqual(['210102', '210103'])
    const [event] = await h.database.db
      .select()
      .from(usageEvents)
      .where(eq(usageEvents.requestId, response.headers.get('x-request-id')!))
    expect(event).toMatchObject({ status: 200, records: 0, datasetCodes: '' })
  })

  it('validates codes: valid, wrong check character, wrong alphabet, wrong length', async () => {
    const [e] = await h.database.db.select({ uscc: cityEnterprises.uscc }).from(cityEnterprises).limit(1)
    const valid = await post(USCC, { uscc: ` ${e!.uscc.toLowerCase()} ` })
    expect(valid.body).toMatchObject({
      valid: true,
      normalized: e!.uscc,
      division: { code: e!.uscc.slice(2, 8), inShenyang: true },
    })
    const wrong = e!.uscc.slice(0, 17) + (e!.uscc.endsWith('0') ? '1' : '0')
    expect((await post(USCC, { uscc: wrong })).body).toMatchObject({
      valid: false,
      reason: 'check_digit',
      parts: { expectedCheckChar: e!.uscc[17] },
    })
    expect((await post(USCC, { uscc: '91210102MA0QW8R7IJ' })).body).toMatchObject({
      valid: false,
      reason: 'charset',
      position: 17,
    })
    expect((await post(USCC, { uscc: '9121' })).body).toEqual({ valid: false, normalized: '9121', reason: 'length' })
    expect((await post(USCC, { uscc: '91110108MA0QW8R765'.slice(0, 17) + 'X' })).body.division).toMatchObject({
      code: '110108',
      inShenyang: false,
      nameZh: null,
    })
    const empty = await post(USCC, { uscc: '' })
    expect(empty.res.status).toBe(400)
    expect(empty.body.error.fields).toEqual({ uscc: 'too_small' })
  })
})
