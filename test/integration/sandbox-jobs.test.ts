import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, count, eq, sql } from 'drizzle-orm'
import { cityEnterprises, products, rejectedCalls, sandboxJobs, sandboxPrivacySpends, usageEvents } from '#db/schema/index.ts'
import { getSandboxOverview } from '#sandbox/jobs/get-sandbox-overview.ts'
import { addPartner } from '#test/support/billing-harness.ts'
import { callGateway } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'

const REGISTRY = 'DS-SCJG-0001'
const TAX = 'DS-SW-0001'
const f = (code: string, field: string) => `${code}.${field}`

/**
 * The data sandbox through the metered API (ADR 0038): a join of the registry and the tax ratings answers only
 * disclosed aggregates; each disclosure rule refuses what it must; the privacy budget is spent and refused; datasets
 * outside the sandbox are not found; hostile queries are answered 400 with stable codes, changing nothing.
 */
describe('POST /api/v1/sandbox/jobs', () => {
  let h: GatewayHarness
  const post = (body: unknown, key = demoApiKey) =>
    callGateway(h.baseUrl, 'POST', '/api/v1/sandbox/jobs', { demoKey: demoApiKey, key, body })
  const state = async () => {
    const db = h.database.db
    const n = async (t: typeof sandboxJobs | typeof sandboxPrivacySpends | typeof usageEvents) =>
      (await db.select({ n: count() }).from(t))[0]!.n
    return { jobs: await n(sandboxJobs), spends: await n(sandboxPrivacySpends), events: await n(usageEvents) }
  }

  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(async () => {
    await h.stop()
  })

  it('joins the registry to the tax ratings and answers only groups of at least k enterprises, metered with compute_ms', async () => {
    const { res, body } = await post({
      from: REGISTRY,
      join: [{ dataset: TAX, on: 'uscc' }],
      groupBy: [f(REGISTRY, 'district_code'), f(TAX, 'rating')],
      aggregates: [{ fn: 'count_subjects' }, { fn: 'avg', field: f(REGISTRY, 'registered_capital_wan') }],
    })
    expect(res.status, JSON.stringify(body)).toBe(200)
    // An L3 dataset is read: k is 20.
    expect(body).toMatchObject({ k: 20, level: 'L3', disclosure: { noise: null } })
    expect(body.groups.length).toBeGreaterThan(0)
    for (const g of body.groups) expect(g.values.count_subjects).toBeGreaterThanOrEqual(20)
    // Against the tables: every group under k is withheld, and only counted.
    const truth = await h.database.db.all<{ d: string; r: string; n: number }>(sql`
      select e.district_code d, t.rating r, count(distinct e.uscc) n
      from city_enterprises e join city_tax_credit_ratings t on t.uscc = e.uscc group by d, r`)
    expect(body.groups.length + body.disclosure.groupsSuppressed).toBe(truth.length)
    expect(body.disclosure.groupsSuppressed).toBe(truth.filter((t) => t.n < 20).length)
    expect(body.disclosure.groupsSuppressed).toBeGreaterThan(0)
    for (const g of body.groups) {
      const t = truth.find((x) => x.d === g.key[f(REGISTRY, 'district_code')] && x.r === g.key[f(TAX, 'rating')])!
      expect(g.values.count_subjects).toBe(t.n)
    }
    const [event] = await h.database.db.select().from(usageEvents).where(eq(usageEvents.operation, 'createSandboxJob'))
    expect(event!.computeMs).toBe(body.computeMs)
    expect(event!.computeMs).toBeGreaterThan(0)
    expect(event!.records).toBeGreaterThan(0)
    const [job] = await h.database.db.select().from(sandboxJobs).where(eq(sandboxJobs.id, body.jobId))
    expect(job).toMatchObject({ state: 'released', computeMs: body.computeMs, refusalCode: null })
    expect(JSON.parse(job!.result!).groups).toEqual(body.groups)
  })

  it('k is 10 over L2 data alone; a level the catalog raises to L4 forbids aggregates at once', async () => {
    const q = { from: REGISTRY, groupBy: [f(REGISTRY, 'industry')], aggregates: [{ fn: 'count' }] }
    const { res, body } = await post(q)
    expect(res.status).toBe(200)
    expect(body.k).toBe(10)
    await h.database.db.run(sql`update datasets set level = 'L4' where code = ${REGISTRY}`)
    // The gateway's rules cache holds a level for ≤ 500 ms.
    await new Promise((r) => setTimeout(r, 600))
    const refused = await post(q)
    expect(refused.res.status).toBe(400)
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', fields: { level: 'l4_forbids_aggregate' } })
  })

  it('dominance: a sum two enterprises make up more than 85% of is withheld, the rest of the table stays', async () => {
    const db = h.database.db
    const [giant] = await db.select().from(cityEnterprises).where(eq(cityEnterprises.districtCode, '210102')).limit(1)
    await db.update(cityEnterprises).set({ registeredCapitalWan: 50_000_000 }).where(eq(cityEnterprises.uscc, giant!.uscc))
    const { res, body } = await post({
      from: REGISTRY,
      groupBy: [f(REGISTRY, 'district_code')],
      aggregates: [
        { fn: 'count' },
        { fn: 'sum', field: f(REGISTRY, 'registered_capital_wan') },
        { fn: 'avg', field: f(REGISTRY, 'registered_capital_wan') },
      ],
    })
    expect(res.status).toBe(200)
    const sumKey = `sum:${f(REGISTRY, 'registered_capital_wan')}`
    const avgKey = `avg:${f(REGISTRY, 'registered_capital_wan')}`
    const dominated = body.groups.find((g: any) => g.key[f(REGISTRY, 'district_code')] === '210102')
    expect(dominated.values[sumKey]).toBeNull()
    expect(dominated.values[avgKey]).toBeNull()
    expect(dominated.suppressed).toEqual({ [sumKey]: 'dominance', [avgKey]: 'dominance' })
    // The count of the same group is not a sum: it stays.
    expect(dominated.values.count).toBeGreaterThanOrEqual(10)
    expect(body.disclosure.cellsSuppressed).toBe(2)
    for (const g of body.groups.filter((x: any) => x !== dominated)) expect(g.values[sumKey]).toBeGreaterThan(0)
  })

  it('differencing: a query differing from an earlier one by a single enterprise is refused (409), unless noised', async () => {
    const db = h.database.db
    const [{ top } = { top: 0 }] = await db.all<{ top: number }>(
      sql`select max(registered_capital_wan) top from city_enterprises`,
    )
    const q = (filters: unknown[], privacy?: unknown) => ({
      from: REGISTRY,
      filters,
      groupBy: [f(REGISTRY, 'district_code')],
      aggregates: [{ fn: 'count' }],
      ...(privacy ? { privacy } : {}),
    })
    const all = await post(q([]))
    expect(all.res.status).toBe(200)
    // Everyone but the enterprises of the largest capital: their district's count drops by fewer than k.
    const before = await state()
    const minusOne = await post(q([{ field: f(REGISTRY, 'registered_capital_wan'), op: 'lt', value: top }]))
    expect(minusOne.res.status).toBe(409)
    expect(minusOne.body.error.code).toBe('differencing_risk')
    expect(minusOne.body.error.message).toContain(all.body.jobId)
    // Never billed; kept as a refused job for the record.
    const after = await state()
    expect(after.events).toBe(before.events)
    expect(after.jobs).toBe(before.jobs + 1)
    const [refused] = await db.select().from(sandboxJobs).where(eq(sandboxJobs.state, 'refused'))
    expect(refused).toMatchObject({ refusalCode: 'differencing_risk', result: null })
    // The same question again is no difference; with ε it is noised instead of refused.
    expect((await post(q([]))).res.status).toBe(200)
    const noised = await post(q([{ field: f(REGISTRY, 'registered_capital_wan'), op: 'lt', value: top }], { epsilon: 0.5 }))
    expect(noised.res.status).toBe(200)
    expect(noised.body.disclosure.noise).toEqual({ mechanism: 'laplace', epsilon: 0.5 })
    expect(noised.body.budget).toMatchObject({ epsilon: 5, spent: 0.5, remaining: 4.5 })
    // Disjoint populations (two industries) have close counts in some districts, but subtracting them isolates no one.
    const industry = (value: string) => q([{ field: f(REGISTRY, 'industry'), op: 'eq', value }])
    const counts = await db.all<{ i: string; n: number }>(
      sql`select industry i, count(*) n from city_enterprises group by i order by n desc`,
    )
    for (const { i } of counts.slice(0, 3)) expect((await post(industry(i))).res.status, i).toBe(200)
  })

  it('spends the privacy budget and refuses with privacy_budget_exhausted (429, Retry-After) when spent, also in parallel', async () => {
    const q = {
      from: REGISTRY,
      groupBy: [f(REGISTRY, 'status')],
      aggregates: [{ fn: 'count_subjects' }],
      privacy: { epsilon: 1 },
    }
    // Eight at once against a budget of five: exactly five are served (the spend is one conditional INSERT).
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(q)))
    const statuses = answers.map((a) => a.res.status).sort()
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429])
    const refused = answers.find((a) => a.res.status === 429)!
    expect(refused.body.error.code).toBe('privacy_budget_exhausted')
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0)
    const budget = await callGateway(h.baseUrl, 'GET', '/api/v1/sandbox/budget', { demoKey: demoApiKey })
    expect(budget.res.status).toBe(200)
    expect(budget.body).toMatchObject({ epsilon: 5, spent: 5, remaining: 0 })
    const spends = await h.database.db.select({ n: count() }).from(sandboxPrivacySpends)
    expect(spends[0]!.n).toBe(5)
    // A job without ε still runs.
    const { privacy: _privacy, ...plain } = q
    expect((await post(plain)).res.status).toBe(200)
    // Noise changed the counts but not beyond reason (b = 1/1 per cell: within ±30 with overwhelming probability).
    const served = answers.find((a) => a.res.status === 200)!.body
    for (const g of served.groups) expect(g.values.count_subjects).toBeGreaterThanOrEqual(0)
  })

  it('reads only the sandbox’s datasets: any other is not found, and a partner without the sandbox is not subscribed', async () => {
    for (const code of ['DS-RS-0001', 'DS-JT-0001', 'DS-XX-9999']) {
      const before = await state()
      const asBase = await post({ from: code, aggregates: [{ fn: 'count' }] })
      expect(asBase.res.status, code).toBe(404)
      expect(asBase.body.error.code).toBe('not_found')
      const asJoin = await post({ from: REGISTRY, join: [{ dataset: code, on: 'uscc' }], aggregates: [{ fn: 'count' }] })
      expect(asJoin.res.status, code).toBe(404)
      expect(await state()).toEqual(before)
    }
    const [other] = await h.database.db.select({ id: products.id }).from(products).where(eq(products.code, 'road-traffic-flow'))
    const outsider = await addPartner(h.database.db, { productId: other!.id, code: 'no-sandbox', purpose: 'industrial' })
    const { res, body } = await post({ from: REGISTRY, aggregates: [{ fn: 'count' }] }, outsider.key)
    expect(res.status).toBe(403)
    expect(body.error.code).toBe('not_subscribed')
  })

  it('answers hostile queries 400 with stable codes and changes nothing', async () => {
    const hostile: [unknown, string, Record<string, string>?][] = [
      [
        { from: REGISTRY, groupBy: [f(REGISTRY, 'legal_rep_id_card')], aggregates: [{ fn: 'count' }] },
        'validation_failed',
        { 'groupBy.0': 'unknown_field' },
      ],
      [
        { from: REGISTRY, groupBy: [f(REGISTRY, 'legal_rep_phone')], aggregates: [{ fn: 'count' }] },
        'validation_failed',
        { 'groupBy.0': 'unknown_field' },
      ],
      [
        { from: REGISTRY, aggregates: [{ fn: 'max', field: f(REGISTRY, 'uscc') }] },
        'validation_failed',
        { 'aggregates.0.field': 'unknown_field' },
      ],
      [
        { from: REGISTRY, join: [{ dataset: 'DS-WJ-0001', on: 'uscc' }], aggregates: [{ fn: 'count' }] },
        'validation_failed',
        { 'join.0.on': 'join_key_not_declared' },
      ],
      [
        {
          from: REGISTRY,
          filters: [{ field: f(REGISTRY, 'status'), op: 'eq', value: "active' OR '1'='1" }],
          aggregates: [{ fn: 'count' }],
        },
        'validation_failed',
        { 'filters.0.value': 'value_format' },
      ],
      [
        {
          from: REGISTRY,
          filters: [{ field: f(REGISTRY, 'status'), op: 'eq', value: 'active"); DROP TABLE users; --' }],
          aggregates: [{ fn: 'count' }],
        },
        'validation_failed',
      ],
      [{ from: 'DS-SCJG-0001; DROP TABLE sandbox_jobs', aggregates: [{ fn: 'count' }] }, 'validation_failed'],
      [
        { from: REGISTRY, groupBy: ['DS-SCJG-0001.district_code, (select 1)'], aggregates: [{ fn: 'count' }] },
        'validation_failed',
      ],
      [{ from: REGISTRY, aggregates: [{ fn: 'count' }], sql: 'select * from city_enterprises' }, 'validation_failed'],
      [
        {
          from: REGISTRY,
          aggregates: [{ fn: 'count' }],
          filters: Array.from({ length: 13 }, () => ({ field: f(REGISTRY, 'status'), op: 'eq', value: 'active' })),
        },
        'validation_failed',
      ],
      [{ from: REGISTRY, aggregates: [{ fn: 'count' }], privacy: { epsilon: 50 } }, 'validation_failed'],
      [
        {
          from: REGISTRY,
          groupBy: [f(REGISTRY, 'district_code'), f(REGISTRY, 'industry'), f(REGISTRY, 'founded_year')],
          aggregates: [{ fn: 'count' }],
        },
        'too_many_groups',
        { groupBy: 'too_many_groups' },
      ],
      ['not json at all', 'validation_failed'],
      [{ from: REGISTRY, aggregates: [{ fn: 'count' }], padding: 'x'.repeat(70_000) }, 'payload_too_large'],
    ]
    const before = await state()
    for (const [body, code, fields] of hostile) {
      const answer = await post(body)
      expect(answer.res.status, JSON.stringify(body).slice(0, 120)).toBe(code === 'payload_too_large' ? 413 : 400)
      expect(answer.body.error.code).toBe(code)
      if (fields) expect(answer.body.error.fields).toMatchObject(fields)
    }
    expect(await state()).toEqual(before)
    // Every refusal is logged (never billed), and the tables are all still there.
    const [logged] = await h.database.db
      .select({ n: count() })
      .from(rejectedCalls)
      .where(and(eq(rejectedCalls.operation, 'createSandboxJob')))
    expect(logged!.n).toBe(hostile.length)
    const [{ n } = { n: 0 }] = await h.database.db.all<{ n: number }>(sql`select count(*) n from users`)
    expect(n).toBeGreaterThan(0)
  })

  it('shows a partner its own jobs, budget and fields on the page; another partner nothing of them; the operator is refused', async () => {
    const db = h.database.db
    const { body } = await post({ from: REGISTRY, groupBy: [f(REGISTRY, 'industry')], aggregates: [{ fn: 'count' }] })
    const [demo] = await db.all<{ id: string }>(sql`select id from partners where code = 'shengjing-tech'`)
    const actor = { id: null, label: 'dev', role: 'partner_developer' as const, partnerId: demo!.id }
    const own = await getSandboxOverview(db, { actor, now: Date.now() })
    if (!own.ok) throw new Error(own.error.code)
    expect(own.value.jobs.map((j) => j.id)).toEqual([body.jobId])
    expect(own.value.subscriptions).toHaveLength(1)
    expect(own.value.subscriptions[0]!.budget).toMatchObject({ epsilon: 5, remaining: 5 })
    const refs = own.value.datasets.flatMap((d) => d.fields.map((x) => x.ref))
    expect(refs).toContain(f(TAX, 'rating'))
    expect(refs.some((r) => /legal_rep|address|uscc|id_card|person_name/.test(r))).toBe(false)
    const [other] = await db.all<{ id: string }>(sql`select id from partners where code = 'huimin-service'`)
    const theirs = await getSandboxOverview(db, { actor: { ...actor, partnerId: other!.id }, now: Date.now() })
    expect(theirs.ok && theirs.value.jobs).toEqual([])
    expect(theirs.ok && theirs.value.subscriptions).toEqual([])
    const operator = await getSandboxOverview(db, { actor: { id: null, label: 'op', role: 'operator' }, now: Date.now() })
    expect(operator).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
  })
})
