/**
 * Data sandbox bench (ADR 0038).
 *
 *   npm run bench:sandbox -- [--runs <n>] [--scale city|small] [--json] [--keep-db]
 *
 * 1. A fresh temp SQLite database: migrate, seedCity (city scale: ≥ 50,000 enterprises and their tax ratings),
 *    seedPlatform (the demo partner subscribes to the data-sandbox product; the demo key).
 * 2. Latency: the gateway on a bare node:http server; `--runs` times (after 3 warm-ups) the same grouped aggregate over
 *    the registry joined to the tax ratings (district × rating, latest year, subjects and mean registered capital,
 *    which also runs the dominance query), end to end over HTTP; p50/p90/max of the wall time and of the job's own
 *    compute_ms (what is billed).
 * 3. False refusals: a fixed list of sensible analyst questions on the demo data, asked in order by the one partner
 *    (so each is checked against the earlier ones for differencing); for each, released or refused and why, and how
 *    many groups and cells disclosure control withheld.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { startStallMeter } from './stall-meter.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { createGateway } from '#gateway/create-gateway.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '25' },
    scale: { type: 'string', default: 'city' },
    json: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
  strict: true,
})
const runs = Math.round(Number(args.runs))
const scale = args.scale === 'small' ? 'small' : 'city'
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs must be a positive whole number')
  process.exit(2)
}
const progress = (line: string) => console.error(`[bench] ${line}`)
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}
const round1 = (x: number) => Math.round(x * 10) / 10

const R = 'DS-SCJG-0001'
const T = 'DS-SW-0001'
const H = 'DS-WJ-0001'
const M = 'DS-YB-0001'
const f = (code: string, field: string) => `${code}.${field}`

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-sandbox-'))
const database = await openDatabase(`file:${join(dir, 'bench.db')}`)
const { db } = database
const gateway = createGateway({ db })
const server = createServer((req, res) => gateway.handle(req, res))
try {
  progress(`database ${dir}`)
  await migrateDatabase(db)
  const seeded = performance.now()
  await seedCity(db, { scale })
  const { demoApiKey } = await seedPlatform(db)
  const [counts] = await db.all<{ enterprises: number; ratings: number; year: number }>(sql`
    select (select count(*) from city_enterprises) enterprises, (select count(*) from city_tax_credit_ratings) ratings,
           (select max(year) from city_tax_credit_ratings) year`)
  progress(
    `seeded ${counts!.enterprises} enterprises, ${counts!.ratings} tax ratings in ${round1((performance.now() - seeded) / 1000)} s`,
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/sandbox/jobs`

  async function job(query: unknown): Promise<{ status: number; body: any; ms: number }> {
    for (;;) {
      const started = performance.now()
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(query),
      })
      const body = await res.json()
      const ms = performance.now() - started
      if (res.status === 429 && body.error?.code === 'rate_limited') {
        await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)))
        continue
      }
      return { status: res.status, body, ms }
    }
  }

  // 2. Latency.
  const joinQuery = {
    from: R,
    join: [{ dataset: T, on: 'uscc' }],
    filters: [{ field: f(T, 'year'), op: 'eq', value: counts!.year }],
    groupBy: [f(R, 'district_code'), f(T, 'rating')],
    aggregates: [{ fn: 'count_subjects' }, { fn: 'avg', field: f(R, 'registered_capital_wan') }],
  }
  const wall: number[] = []
  const compute: number[] = []
  const stalls: number[] = []
  let sample: any = null
  for (let i = 0; i < runs + 3; i++) {
    // The longest the event loop stood still during the job: what every other call of the process waited.
    const stall = startStallMeter()
    const { status, body, ms } = await job(joinQuery)
    const stalled = stall.stop()
    if (i >= 3) stalls.push(stalled)
    if (status !== 200) throw new Error(`job answered ${status}: ${JSON.stringify(body)}`)
    if (i >= 3) {
      wall.push(ms)
      compute.push(body.computeMs)
    }
    sample = body
  }
  const latency = {
    runs,
    groups: sample.groups.length,
    groupsSuppressed: sample.disclosure.groupsSuppressed,
    cellsSuppressed: sample.disclosure.cellsSuppressed,
    wallMs: { p50: round1(quantile(wall, 0.5)), p90: round1(quantile(wall, 0.9)), max: round1(Math.max(...wall)) },
    computeMs: { p50: quantile(compute, 0.5), p90: quantile(compute, 0.9), max: Math.max(...compute) },
    eventLoopStallMs: { p50: round1(quantile(stalls, 0.5)), max: round1(Math.max(...stalls)) },
  }
  progress(`join latency p50 ${latency.wallMs.p50} ms (compute ${latency.computeMs.p50} ms) over ${runs} runs`)

  // 3. Sensible questions, in the order an analyst might ask them.
  const year = counts!.year
  const questions: { name: string; query: unknown }[] = [
    {
      name: 'enterprises per district',
      query: { from: R, groupBy: [f(R, 'district_code')], aggregates: [{ fn: 'count_subjects' }] },
    },
    { name: 'enterprises per industry', query: { from: R, groupBy: [f(R, 'industry')], aggregates: [{ fn: 'count_subjects' }] } },
    {
      name: 'active enterprises per district',
      query: {
        from: R,
        filters: [{ field: f(R, 'status'), op: 'eq', value: 'active' }],
        groupBy: [f(R, 'district_code')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: 'abnormal enterprises per district',
      query: {
        from: R,
        filters: [{ field: f(R, 'status'), op: 'eq', value: 'abnormal' }],
        groupBy: [f(R, 'district_code')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: 'enterprises per district × industry',
      query: { from: R, groupBy: [f(R, 'district_code'), f(R, 'industry')], aggregates: [{ fn: 'count_subjects' }] },
    },
    {
      name: 'capital (sum, mean) per industry',
      query: {
        from: R,
        groupBy: [f(R, 'industry')],
        aggregates: [
          { fn: 'sum', field: f(R, 'registered_capital_wan') },
          { fn: 'avg', field: f(R, 'registered_capital_wan') },
        ],
      },
    },
    {
      name: 'capital (sum) per district × industry',
      query: {
        from: R,
        groupBy: [f(R, 'district_code'), f(R, 'industry')],
        aggregates: [{ fn: 'sum', field: f(R, 'registered_capital_wan') }],
      },
    },
    {
      name: 'manufacturing (C) per district',
      query: {
        from: R,
        filters: [{ field: f(R, 'industry'), op: 'eq', value: 'C' }],
        groupBy: [f(R, 'district_code')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: 'construction (E) per district',
      query: {
        from: R,
        filters: [{ field: f(R, 'industry'), op: 'eq', value: 'E' }],
        groupBy: [f(R, 'district_code')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: 'founded since 2015, per year',
      query: {
        from: R,
        filters: [{ field: f(R, 'founded_year'), op: 'gte', value: '2015' }],
        groupBy: [f(R, 'founded_year')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: `tax rating mix ${year}`,
      query: {
        from: R,
        join: [{ dataset: T, on: 'uscc' }],
        filters: [{ field: f(T, 'year'), op: 'eq', value: year }],
        groupBy: [f(T, 'rating')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: `tax rating mix ${year - 1}`,
      query: {
        from: R,
        join: [{ dataset: T, on: 'uscc' }],
        filters: [{ field: f(T, 'year'), op: 'eq', value: year - 1 }],
        groupBy: [f(T, 'rating')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: `rating × district ${year}`,
      query: {
        from: R,
        join: [{ dataset: T, on: 'uscc' }],
        filters: [{ field: f(T, 'year'), op: 'eq', value: year }],
        groupBy: [f(R, 'district_code'), f(T, 'rating')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: `mean capital by rating ${year}`,
      query: {
        from: R,
        join: [{ dataset: T, on: 'uscc' }],
        filters: [{ field: f(T, 'year'), op: 'eq', value: year }],
        groupBy: [f(T, 'rating')],
        aggregates: [{ fn: 'avg', field: f(R, 'registered_capital_wan') }],
      },
    },
    {
      name: `rating mix ${year}, manufacturing only`,
      query: {
        from: R,
        join: [{ dataset: T, on: 'uscc' }],
        filters: [
          { field: f(T, 'year'), op: 'eq', value: year },
          { field: f(R, 'industry'), op: 'eq', value: 'C' },
        ],
        groupBy: [f(T, 'rating')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: `rating mix ${year}, active only`,
      query: {
        from: R,
        join: [{ dataset: T, on: 'uscc' }],
        filters: [
          { field: f(T, 'year'), op: 'eq', value: year },
          { field: f(R, 'status'), op: 'eq', value: 'active' },
        ],
        groupBy: [f(T, 'rating')],
        aggregates: [{ fn: 'count_subjects' }],
      },
    },
    {
      name: 'hospital visits per district',
      query: { from: H, groupBy: [f(H, 'district_code')], aggregates: [{ fn: 'sum', field: f(H, 'outpatient_visits') }] },
    },
    {
      name: 'hospital visits per month',
      query: {
        from: H,
        groupBy: [f(H, 'month')],
        aggregates: [
          { fn: 'sum', field: f(H, 'outpatient_visits') },
          { fn: 'sum', field: f(H, 'emergency_visits') },
        ],
      },
    },
    {
      name: 'claims and fund paid per district (visits joined)',
      query: {
        from: M,
        join: [{ dataset: H, on: 'district_month' }],
        groupBy: [f(M, 'district_code')],
        aggregates: [
          { fn: 'sum', field: f(M, 'claims') },
          { fn: 'sum', field: f(M, 'fund_paid_fen') },
          { fn: 'sum', field: f(H, 'inpatient_admissions') },
        ],
      },
    },
    {
      name: 'active enterprises per district, with ε = 0.5',
      query: {
        from: R,
        filters: [{ field: f(R, 'status'), op: 'ne', value: 'cancelled' }],
        groupBy: [f(R, 'district_code')],
        aggregates: [{ fn: 'count_subjects' }],
        privacy: { epsilon: 0.5 },
      },
    },
  ]
  const outcomes: {
    name: string
    outcome: string
    groups: number
    groupsSuppressed: number
    cellsSuppressed: number
    ms: number
  }[] = []
  for (const q of questions) {
    const { status, body, ms } = await job(q.query)
    outcomes.push({
      name: q.name,
      outcome: status === 200 ? 'released' : `${status} ${body.error?.code}`,
      groups: body.groups?.length ?? 0,
      groupsSuppressed: body.disclosure?.groupsSuppressed ?? 0,
      cellsSuppressed: body.disclosure?.cellsSuppressed ?? 0,
      ms: Math.round(ms),
    })
  }
  const refused = outcomes.filter((o) => o.outcome !== 'released')
  const report = {
    machine: { cpus: cpus().length, load1: round1(loadavg()[0]!) },
    scale,
    enterprises: counts!.enterprises,
    taxRatings: counts!.ratings,
    latency,
    questions: { asked: outcomes.length, refused: refused.length, outcomes },
  }
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(
      `Sandbox bench (${scale}: ${counts!.enterprises} enterprises, ${counts!.ratings} tax ratings; ${report.machine.cpus} CPUs, load ${report.machine.load1})`,
    )
    console.log(
      `Registry ⋈ tax ratings, district × rating, ${runs} runs: wall p50 ${latency.wallMs.p50} ms, p90 ${latency.wallMs.p90} ms, max ${latency.wallMs.max} ms; compute_ms p50 ${latency.computeMs.p50}, p90 ${latency.computeMs.p90}; longest event-loop stall per job p50 ${latency.eventLoopStallMs.p50} ms, max ${latency.eventLoopStallMs.max} ms`,
    )
    console.log(
      `  ${latency.groups} groups released, ${latency.groupsSuppressed} withheld (k), ${latency.cellsSuppressed} cells withheld (dominance)`,
    )
    console.log(`Sensible questions: ${outcomes.length} asked, ${refused.length} refused`)
    for (const o of outcomes)
      console.log(
        `  ${o.outcome.padEnd(28)} ${o.name} — ${o.groups} groups, ${o.groupsSuppressed} withheld, ${o.cellsSuppressed} cells (dominance), ${o.ms} ms`,
      )
  }
} finally {
  server.closeAllConnections()
  server.close()
  await gateway.close()
  database.close()
  if (!args['keep-db']) rmSync(dir, { recursive: true, force: true })
  else progress(`kept ${dir}`)
}
