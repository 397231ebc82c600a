import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm'
import {
  cityEnterprises,
  cityRoadSegments,
  cityTaxCreditRatings,
  cityTrafficFlows,
  datasets,
  usageEvents,
} from '#db/schema/index.ts'
import { REFERENCE_END_MS } from '#source-systems/simulated/generate-city.ts'
import { formatDay, formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { callGateway, expectConformsToSpec } from '#test/support/openapi.ts'
import { plainEnterprise } from '#test/support/plain-city.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { decideDatasetLevel } from '#catalog/grading/decide-dataset-level.ts'
import { errorText } from '#platform/error-text.ts'
import { actorOf } from './catalog-fixtures.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'

const PROFILE = '/api/v1/services/enterprise-credit-profile'
const TRAFFIC = '/api/v1/services/traffic-flow'
const DAY = 86_400_000

describe('service products', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(() => h.stop())

  const get = (path: string) => callGateway(h.baseUrl, 'GET', path, { demoKey: demoApiKey })
  const eventFor = async (res: Response) =>
    (
      await h.database.db
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.requestId, res.headers.get('x-request-id')!))
    )[0]

  describe('GET /api/v1/services/enterprise-credit-profile/{uscc}', () => {
    async function ratedEnterprise() {
      const [row] = await h.database.db
        .select()
        .from(cityEnterprises)
        .where(sql`exists (select 1 from city_tax_credit_ratings t where t.uscc = ${cityEnterprises.uscc})`)
        .limit(1)
      // The store holds the legal representative sealed; the answer must show the generated values (masked).
      return { ...row!, ...plainEnterprise(row!.uscc) }
    }

    it('answers the registry record with the L2 personal fields masked, through the typed client', async () => {
      const e = await ratedEnterprise()
      const { data, response } = await h.client.GET('/api/v1/services/enterprise-credit-profile/{uscc}', {
        params: { path: { uscc: e.uscc } },
        headers: { authorization: `Bearer ${demoApiKey}` },
      })
      expect(response.status).toBe(200)
      expectConformsToSpec('GET', `${PROFILE}/${e.uscc}`, response, data)
      expect(data).toMatchObject({
        uscc: `${e.uscc.slice(0, 8)}**********`,
        name: e.name,
        status: e.status,
        foundedOn: e.foundedOn,
        registeredCapitalWan: e.registeredCapitalWan,
        district: { code: e.districtCode },
        industry: { code: e.industry },
        legalRepresentative: {
          name: `${[...e.legalRepName][0]}*`,
          idNumber: `${e.legalRepIdCard.slice(0, 6)}********${e.legalRepIdCard.slice(-4)}`,
          phone: `${e.legalRepPhone.slice(0, 3)}****${e.legalRepPhone.slice(-4)}`,
        },
        disclosure: { registryLevel: 'L2', taxCreditLevel: 'L3', fieldsMasked: 5 },
      })
      expect(data!.address).toMatch(/^沈阳市.+(区|县|市)$/)
      expect(e.address.startsWith(data!.address!)).toBe(true)
      expect(data!.address!.length).toBeLessThan(e.address.length)
    })

    it('gives only a band and a standing verdict over the L3 tax ratings, and meters records and masked fields', async () => {
      const e = await ratedEnterprise()
      const ratings = await h.database.db
        .select()
        .from(cityTaxCreditRatings)
        .where(eq(cityTaxCreditRatings.uscc, e.uscc))
        .orderBy(asc(cityTaxCreditRatings.year))
      const { res, body } = await get(`${PROFILE}/${e.uscc}`)
      const latest = ratings.at(-1)!
      const band = { A: 'high', B: 'high', M: 'medium', C: 'low', D: 'low' }[latest.rating]
      expect(body.taxCredit).toEqual({
        band,
        latestYear: latest.year,
        goodStanding: ratings.every((r) => !['C', 'D'].includes(r.rating)),
      })
      expect(JSON.stringify(body.taxCredit)).not.toMatch(/"[ABMCD]"/)
      const event = await eventFor(res)
      expect(event).toMatchObject({
        status: 200,
        records: 1 + ratings.length,
        fieldsMasked: 5,
        datasetCodes: expect.stringContaining('DS-SW-0001'),
      })
    })

    it('never shows the legal representative unmasked: the registry cannot be graded L1 (personal-data floor)', async () => {
      const e = await ratedEnterprise()
      const scjg = await actorOf(h.database.db, 'scjg')
      // The source unit cannot grade it L1 (ADR 0037), nor can anyone write it so.
      const refused = await decideDatasetLevel(h.database.db, {
        actor: scjg,
        datasetCode: 'DS-SCJG-0001',
        level: 'L1',
        usageRequirements: '仅限信用评价',
      })
      expect(refused).toMatchObject({ ok: false, error: { code: 'personal_data_below_l2' } })
      const write = h.database.db.update(datasets).set({ level: 'L1' }).where(eq(datasets.code, 'DS-SCJG-0001'))
      expect(
        await Promise.resolve(write).then(
          () => 'ok',
          (err: unknown) => errorText(err),
        ),
      ).toMatch(/personal_data_below_l2/)
      const { body } = await get(`${PROFILE}/${e.uscc}`)
      expect(body.legalRepresentative.idNumber).toBe(`${e.legalRepIdCard.slice(0, 6)}********${e.legalRepIdCard.slice(-4)}`)
      expect(body.legalRepresentative.phone).toBe(`${e.legalRepPhone.slice(0, 3)}****${e.legalRepPhone.slice(-4)}`)
      expect(JSON.stringify(body)).not.toContain(e.legalRepIdCard)
      expect(JSON.stringify(body)).not.toContain(e.legalRepPhone)
    })

    it('a re-grading of the registry to L3 by its source unit suspends the profile at once: 423 product_suspended', async () => {
      const e = await ratedEnterprise()
      expect((await get(`${PROFILE}/${e.uscc}`)).res.status).toBe(200)
      const scjg = await actorOf(h.database.db, 'scjg')
      const since = performance.now()
      const decided = await decideDatasetLevel(h.database.db, {
        actor: scjg,
        datasetCode: 'DS-SCJG-0001',
        level: 'L3',
        usageRequirements: '明细不得出域',
      })
      expect(decided).toMatchObject({ ok: true, value: { suspended: [{ code: 'enterprise-credit-profile' }] } })
      // Seen by the gateway within its 1 s promise (500 ms caches).
      await waitUntilElapsed(since, PROPAGATION_PROMISE_MS)
      const refused = await get(`${PROFILE}/${e.uscc}`)
      expect(refused.res.status).toBe(423)
      expect(refused.body.error.code).toBe('product_suspended')
      expect(JSON.stringify(refused.body)).not.toContain(e.legalRepIdCard)
      // A product that lets out verdicts over the same registry still answers.
      const verdict = await callGateway(h.baseUrl, 'POST', '/api/v1/verifications/enterprise', {
        demoKey: demoApiKey,
        body: { uscc: e.uscc, name: e.name },
      })
      expect(verdict.res.status).toBe(200)
    })

    it('answers 404 for an unregistered code and 400 for a malformed one, billing neither', async () => {
      const notFound = await get(`${PROFILE}/91210102MA0QW8R76J`)
      expect(notFound.res.status).toBe(404)
      expect(notFound.body.error.code).toBe('not_found')
      const bad = await get(`${PROFILE}/91210102MA0QW8R760`)
      expect(bad.res.status).toBe(400)
      expect(bad.body.error.fields).toEqual({ uscc: 'check_digit' })
      expect(await h.database.db.select().from(usageEvents)).toHaveLength(0)
    })
  })

  describe('GET /api/v1/services/traffic-flow/{segment}', () => {
    async function segment() {
      const [row] = await h.database.db.select().from(cityRoadSegments).limit(1)
      return row!
    }

    it('answers the hourly flows of the range, as stored (L1)', async () => {
      const s = await segment()
      const from = REFERENCE_END_MS - DAY
      const to = REFERENCE_END_MS - DAY + 6 * 3_600_000
      const { data, response } = await h.client.GET('/api/v1/services/traffic-flow/{segment}', {
        params: { path: { segment: s.code }, query: { from: formatDay(from), to: formatIso(to) } },
        headers: { authorization: `Bearer ${demoApiKey}` },
      })
      expect(response.status).toBe(200)
      expectConformsToSpec('GET', `${TRAFFIC}/${s.code}`, response, data)
      const rows = await h.database.db
        .select()
        .from(cityTrafficFlows)
        .where(
          and(
            eq(cityTrafficFlows.segmentCode, s.code),
            gte(cityTrafficFlows.hourStart, from),
            lt(cityTrafficFlows.hourStart, to),
          ),
        )
        .orderBy(asc(cityTrafficFlows.hourStart))
      expect(rows).toHaveLength(6)
      expect(data).toMatchObject({
        segment: { code: s.code, name: s.name, lanes: s.lanes },
        granularity: 'hour',
        from: formatIso(from),
        to: formatIso(to),
      })
      expect(data!.points).toEqual(
        rows.map((r) => ({ start: formatIso(r.hourStart), vehicles: r.vehicles, avgSpeedKmh: r.avgSpeedKmh, hours: 1 })),
      )
      expect((await eventFor(response))!.records).toBe(6)
    })

    it('sums whole local days for the daily granularity', async () => {
      const s = await segment()
      const to = REFERENCE_END_MS
      const from = to - 3 * DAY
      const { body } = await get(`${TRAFFIC}/${s.code}?from=${formatDay(from)}&to=${formatDay(to)}&granularity=day`)
      expect(body.points).toHaveLength(3)
      for (const [i, point] of body.points.entries()) {
        const dayStart = from + i * DAY
        const [sum] = await h.database.db
          .select({ vehicles: sql<number>`sum(${cityTrafficFlows.vehicles})`, hours: sql<number>`count(*)` })
          .from(cityTrafficFlows)
          .where(
            and(
              eq(cityTrafficFlows.segmentCode, s.code),
              gte(cityTrafficFlows.hourStart, dayStart),
              lt(cityTrafficFlows.hourStart, dayStart + DAY),
            ),
          )
        expect(point).toMatchObject({ start: formatIso(dayStart), vehicles: sum!.vehicles, hours: 24 })
      }
    })

    it('caps the range and validates the instants (400), and answers 404 for an unknown segment', async () => {
      const s = await segment()
      const tooLong = await get(`${TRAFFIC}/${s.code}?from=2026-10-01&to=2026-10-09`)
      expect(tooLong.res.status).toBe(400)
      expect(tooLong.body.error.fields).toEqual({ to: 'range_exceeds_7_days' })
      const daily = await get(`${TRAFFIC}/${s.code}?from=2026-07-01&to=2026-10-09&granularity=day`)
      expect(daily.body.error.fields).toEqual({ to: 'range_exceeds_92_days' })
      const reversed = await get(`${TRAFFIC}/${s.code}?from=2026-10-09&to=2026-10-08`)
      expect(reversed.body.error.fields).toEqual({ to: 'not_after_from' })
      const garbage = await get(`${TRAFFIC}/${s.code}?from=yesterday&to=2026-02-30`)
      expect(garbage.body.error.fields).toEqual({ from: 'invalid_instant', to: 'invalid_instant' })
      const missing = await get(`${TRAFFIC}/${s.code}`)
      expect(missing.body.error.fields).toMatchObject({ from: 'required', to: 'required' })
      const unknown = await get(`${TRAFFIC}/SY-210102-999?from=2026-10-30&to=2026-10-31`)
      expect(unknown.res.status).toBe(404)
    })
  })
})
