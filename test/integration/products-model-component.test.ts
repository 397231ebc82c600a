import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import {
  cityEnterprises,
  cityHospitalVisits,
  citySocialSecurity,
  cityTaxCreditRatings,
  datasets,
  usageEvents,
} from '#db/schema/index.ts'
import { CREDIT_SCORE_WEIGHTS, scoreCredit } from '#gateway/products/credit-score-model.ts'
import { callGateway, expectConformsToSpec } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { plainCity } from '#test/support/plain-city.ts'

const SCORE = '/api/v1/models/enterprise-credit-score/score'
const query = (view: string) => `/api/v1/components/${view}/query`

describe('model and component products', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(() => h.stop())

  const post = (path: string, body: unknown) => callGateway(h.baseUrl, 'POST', path, { demoKey: demoApiKey, body })
  const eventFor = async (res: Response) =>
    (
      await h.database.db
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.requestId, res.headers.get('x-request-id')!))
    )[0]

  describe('POST /api/v1/models/enterprise-credit-score/score', () => {
    it('scores an employer from registry, tax and social-security data, as the documented model does', async () => {
      const [employer] = await h.database.db
        .select({ uscc: citySocialSecurity.employerUscc })
        .from(citySocialSecurity)
        .groupBy(citySocialSecurity.employerUscc)
        .orderBy(sql`count(distinct ${citySocialSecurity.idCardBidx}) desc`)
        .limit(1)
      const uscc = employer!.uscc
      const { data, response } = await h.client.POST(SCORE, {
        body: { uscc },
        headers: { authorization: `Bearer ${demoApiKey}` },
      })
      expectConformsToSpec('POST', SCORE, response, data)

      // The same inputs, read here independently, through the pure model.
      const [e] = await h.database.db.select().from(cityEnterprises).where(eq(cityEnterprises.uscc, uscc))
      const ratings = await h.database.db.select().from(cityTaxCreditRatings).where(eq(cityTaxCreditRatings.uscc, uscc))
      const months = (await h.database.db.selectDistinct({ m: citySocialSecurity.month }).from(citySocialSecurity))
        .map((r) => r.m)
        .sort()
        .slice(-3)
      // Persons counted by their ID numbers in clear, as the seed generator made them (the store holds them sealed).
      const contributions = plainCity().socialSecurity.filter((r) => r.employerUscc === uscc && r.month >= months[0]!)
      const perMonth = [...new Set(contributions.map((r) => r.month))].map((month) => {
        const rows = contributions.filter((r) => r.month === month)
        return { month, persons: new Set(rows.map((r) => r.idCard)).size, rows: rows.length }
      })
      const expected = scoreCredit({
        status: e!.status,
        foundedOn: e!.foundedOn,
        registeredCapitalWan: e!.registeredCapitalWan,
        taxRatings: ratings.sort((a, b) => a.year - b.year).map((r) => r.rating),
        socialSecurity: {
          monthsInWindow: months.length,
          monthsWithContributions: perMonth.length,
          latestHeadcount: perMonth.find((p) => p.month === months.at(-1))?.persons ?? 0,
        },
        asOf: Date.now(),
      })
      expect(data).toEqual({
        score: expected.score,
        band: expected.band,
        factors: expected.mainFactors.map((f) => ({ code: f.code, impact: f.impact, weight: CREDIT_SCORE_WEIGHTS[f.code] })),
        modelVersion: 'ecs-2026.1',
      })
      expect(perMonth.length).toBeGreaterThan(0)
      const event = await eventFor(response)
      expect(event).toMatchObject({
        records: 1 + ratings.length + perMonth.reduce((n, p) => n + Number(p.rows), 0),
        fieldsMasked: 0,
      })
      expect(event!.datasetCodes.split(',').sort()).toEqual(['DS-RS-0001', 'DS-SCJG-0001', 'DS-SW-0001'])
    })

    it('is deterministic, and ranks an active enterprise above a cancelled one with the same other inputs', async () => {
      const [active] = await h.database.db
        .select({ uscc: cityEnterprises.uscc })
        .from(cityEnterprises)
        .where(eq(cityEnterprises.status, 'active'))
        .limit(1)
      const first = await post(SCORE, { uscc: active!.uscc })
      const second = await post(SCORE, { uscc: active!.uscc })
      expect(second.body).toEqual(first.body)
      await h.database.db.update(cityEnterprises).set({ status: 'cancelled' }).where(eq(cityEnterprises.uscc, active!.uscc))
      const cancelled = await post(SCORE, { uscc: active!.uscc })
      // Status weighs 0.25: active (1) → cancelled (0) takes 250 points (± 1 for rounding).
      expect(Math.abs(first.body.score - cancelled.body.score - 250)).toBeLessThanOrEqual(1)
      expect(cancelled.body.factors[0]).toEqual({ code: 'registry_status', impact: 'negative', weight: 0.25 })
    })

    it('answers 404 for an unregistered code and 400 for a bad one', async () => {
      expect((await post(SCORE, { uscc: '91210102MA0QW8R76J' })).res.status).toBe(404)
      const bad = await post(SCORE, { uscc: 'nope' })
      expect(bad.res.status).toBe(400)
      // The spec's minLength: 18 refuses it before the operation's own check.
      expect(bad.body.error.fields).toEqual({ uscc: 'too_small' })
    })
  })

  describe('POST /api/v1/components/{view}/query', () => {
    it('counts enterprises per district exactly as the registry holds them, through the typed client', async () => {
      const { data, response } = await h.client.POST('/api/v1/components/{view}/query', {
        params: { path: { view: 'enterprises' } },
        body: {
          groupBy: ['district'],
          metrics: [
            { op: 'count' },
            { op: 'sum', field: 'registered_capital_wan' },
            { op: 'avg', field: 'registered_capital_wan' },
          ],
        },
        headers: { authorization: `Bearer ${demoApiKey}` },
      })
      expectConformsToSpec('POST', query('enterprises'), response, data)
      const truth = await h.database.db
        .select({
          district: cityEnterprises.districtCode,
          n: sql<number>`count(*)`,
          sum: sql<number>`sum(${cityEnterprises.registeredCapitalWan})`,
        })
        .from(cityEnterprises)
        .groupBy(cityEnterprises.districtCode)
        .orderBy(cityEnterprises.districtCode)
      expect(data!.groups.map((g) => [g.district, g.values.count, g.values.sum_registered_capital_wan])).toEqual(
        truth.filter((t) => t.n >= 10).map((t) => [t.district, t.n, t.sum]),
      )
      expect(data).toMatchObject({ view: 'enterprises', unit: 'enterprises', k: 10 })
      const total = truth.reduce((n, t) => n + t.n, 0)
      expect((await eventFor(response))!.records).toBe(total)
    })

    it('withholds every group of fewer than 10 units and says how many', async () => {
      const { body } = await post(query('enterprises'), {
        groupBy: ['district', 'industry', 'month'],
        metrics: [{ op: 'count' }],
      })
      const truth = await h.database.db
        .select({ n: sql<number>`count(*)` })
        .from(cityEnterprises)
        .groupBy(cityEnterprises.districtCode, cityEnterprises.industry, sql`substr(${cityEnterprises.foundedOn}, 1, 7)`)
      const small = truth.filter((t) => t.n < 10).length
      expect(small).toBeGreaterThan(0)
      expect(body.suppressedGroups).toBe(small)
      expect(body.groups).toHaveLength(truth.length - small)
      for (const g of body.groups) expect(g.values.count).toBeGreaterThanOrEqual(10)
    })

    it('filters, and aggregates the statistics views by district and month', async () => {
      const { body } = await post(query('hospital-visits'), {
        groupBy: ['month'],
        metrics: [{ op: 'sum', field: 'outpatient_visits' }],
        filter: { districts: ['210102', '210103'], monthFrom: '2026-09', monthTo: '2026-10' },
      })
      const truth = await h.database.db
        .select({ month: cityHospitalVisits.month, sum: sql<number>`sum(${cityHospitalVisits.outpatientVisits})` })
        .from(cityHospitalVisits)
        .where(
          sql`${cityHospitalVisits.districtCode} in ('210102', '210103') and ${cityHospitalVisits.month} between '2026-09' and '2026-10'`,
        )
        .groupBy(cityHospitalVisits.month)
        .orderBy(cityHospitalVisits.month)
      expect(body.groups).toEqual(truth.map((t) => ({ month: t.month, values: { sum_outpatient_visits: t.sum } })))
      const insurance = await post(query('medical-insurance'), {
        metrics: [{ op: 'avg', field: 'insured_persons' }, { op: 'count' }],
      })
      expect(insurance.body.groups).toHaveLength(1)
      expect(insurance.body.unit).toBe('claims')
    })

    it('serves only the views of datasets the product draws on, and refuses L4 data until it is graded lower', async () => {
      // The product does not draw on DS-RS-0001: its view is not found (no fallback to the catalog's dataset).
      const absent = await post(query('social-security'), { groupBy: ['district'], metrics: [{ op: 'count' }] })
      expect(absent.res.status).toBe(404)
      expect(absent.body.error.code).toBe('not_found')
      const db = h.database.db
      await db.run(sql`insert into product_datasets (product_id, dataset_id)
        select p.id, d.id from products p, datasets d where p.code = 'aggregate-query' and d.code = 'DS-RS-0001'`)
      await new Promise((r) => setTimeout(r, 600))
      const refused = await post(query('social-security'), { groupBy: ['district'], metrics: [{ op: 'count' }] })
      expect(refused.res.status).toBe(400)
      expect(refused.body.error.fields).toEqual({ view: 'l4_forbids_aggregate' })
      await db.update(datasets).set({ level: 'L3' }).where(eq(datasets.code, 'DS-RS-0001'))
      await new Promise((r) => setTimeout(r, 600))
      const allowed = await post(query('social-security'), {
        groupBy: ['district'],
        metrics: [{ op: 'count' }, { op: 'avg', field: 'amount_fen' }],
      })
      expect(allowed.res.status).toBe(200)
      expect(allowed.body.unit).toBe('persons')
      for (const g of allowed.body.groups) expect(Object.keys(g).sort()).toEqual(['district', 'values'])
    })

    it('rejects a dimension or field the view lacks, an unknown view, and bad bodies', async () => {
      const dim = await post(query('hospital-visits'), { groupBy: ['industry'], metrics: [{ op: 'count' }] })
      expect(dim.res.status).toBe(400)
      expect(dim.body.error.fields).toEqual({ 'groupBy.0': 'not_in_view' })
      const field = await post(query('enterprises'), { metrics: [{ op: 'sum', field: 'legal_rep_id_card' }, { op: 'avg' }] })
      expect(field.body.error.fields).toEqual({ 'metrics.0.field': 'not_in_view', 'metrics.1.field': 'required' })
      const none = await post(query('enterprises'), { metrics: [] })
      expect(none.body.error.fields).toEqual({ metrics: 'too_small' })
      const unknown = await post(query('persons'), { metrics: [{ op: 'count' }] })
      expect(unknown.res.status).toBe(404)
      expect(await h.database.db.select().from(usageEvents)).toHaveLength(0)
    })
  })
})
