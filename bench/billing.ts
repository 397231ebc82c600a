/**
 * Billing close bench (docs/BENCHMARKS-billing.md).
 *
 *   npm run bench:billing -- [--events <n>] [--partners <n>] [--json] [--keep-db]
 *
 * 1. A fresh temp SQLite database: migrate, seed city `small`, seedPlatform, seedBillingDemo (ceilings and approved
 *    price books for every product: standard, graduated, package, a monthly base fee).
 * 2. `--partners` partners (default 100), each subscribed to every product (one in ten for public interest), and
 *    `--events` usage events (default 10,000,000) spread evenly over last month, written inside SQLite by a recursive
 *    CTE in chunks of 1,000,000 (the gateway's own write path is benchmarked by bench:gateway), with all five indexes.
 * 3. A plain SQLite GROUP BY over the same month (subscription, product, purpose: count and the four meter sums),
 *    timed before and after the close; the faster of the two is the baseline.
 * 4. The close itself (closeBillingPeriod: aggregation in SQL by windows, rating, one invoice per partner, stored in
 *    one batch with its audit entry), timed end to end. Target: close rate ≥ 0.5 × the plain GROUP BY's rate.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { partners, products, subscriptions } from '#db/schema/index.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { getRevenueDashboard } from '#billing/revenue/get-revenue-dashboard.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'

const TARGET_RATIO = 0.5
const CHUNK = 1_000_000

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    partners: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
  strict: true,
})
const totalEvents = Math.round(Number(args.events))
const partnerCount = Math.round(Number(args.partners))
if (!Number.isInteger(totalEvents) || totalEvents < 1) fail('--events must be a positive whole number')
if (!Number.isInteger(partnerCount) || partnerCount < 1) fail('--partners must be a positive whole number')

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}
const progress = (line: string) => console.error(`[bench] ${line}`)
const seconds = (ms: number) => Math.round(ms) / 1000

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-billing-'))
const database = await openDatabase(`file:${join(dir, 'bench.db')}`)
const { db, client } = database
try {
  progress(`database ${dir}`)
  await migrateDatabase(db)
  await seedCity(db, { scale: 'small' })
  await seedPlatform(db)
  await seedBillingDemo(db)

  const month = previousPeriod(periodOf(Date.now()))
  const productRows = await db.select({ id: products.id }).from(products)
  const subs: { id: string; partnerId: string; productId: string; purpose: 'industrial' | 'public_interest' }[] = []
  const subscribedAt = month.start - 86_400_000
  for (let p = 0; p < partnerCount; p++) {
    const partnerId = crypto.randomUUID()
    const rows = productRows.map((product, i) => ({
      id: crypto.randomUUID(),
      partnerId,
      productId: product.id,
      purpose: (p + i) % 10 === 0 ? ('public_interest' as const) : ('industrial' as const),
    }))
    await db.batch([
      db
        .insert(partners)
        .values({ id: partnerId, code: `bench-${p}`, name: `压测合作方 ${p}`, kind: 'legal_person', createdAt: subscribedAt }),
      db.insert(subscriptions).values(
        rows.map((r) => ({
          ...r,
          state: 'active' as const,
          planCode: 'enterprise',
          createdAt: subscribedAt,
          decidedAt: subscribedAt,
        })),
      ),
    ])
    subs.push(...rows)
  }
  progress(
    `${partnerCount} partners × ${productRows.length} products = ${subs.length} subscriptions; generating ${totalEvents.toLocaleString('en-US')} events in ${month.period}`,
  )

  // The subscriptions as a numbered table, so the generator picks one per event by n % count inside SQLite.
  await client.execute('CREATE TEMP TABLE bench_subs (i INTEGER PRIMARY KEY, sub TEXT, partner TEXT, product TEXT, purpose TEXT)')
  for (let i = 0; i < subs.length; i += 500) {
    const slice = subs.slice(i, i + 500)
    await client.execute({
      sql: `INSERT INTO bench_subs VALUES ${slice.map(() => '(?, ?, ?, ?, ?)').join(',')}`,
      args: slice.flatMap((s, j) => [i + j, s.id, s.partnerId, s.productId, s.purpose]),
    })
  }
  const span = month.end - month.start
  const generateStarted = performance.now()
  for (let from = 0; from < totalEvents; from += CHUNK) {
    const to = Math.min(totalEvents, from + CHUNK)
    await client.execute({
      sql: `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?)
            INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation, status,
                                      dataset_codes, source_unit_codes, authorization_codes, calls, records, fields_masked, bytes_out, compute_ms, export_bytes)
            SELECT lower(hex(randomblob(16))), ? + (n * ?) / ?, 'req_' || lower(hex(randomblob(16))), 'bench-key', s.sub, s.partner, s.product, s.purpose,
                   'bench', 200, 'DS-SCJG-0001', 'market-regulation', 'SQ-SCJG-0001', 1, n % 3, n % 5, 20, 3, CASE WHEN n % 50 = 0 THEN 250000 ELSE 0 END
            FROM seq JOIN bench_subs AS s ON s.i = n % ?`,
      args: [from, to, month.start, span, totalEvents, subs.length],
    })
    progress(`  ${to.toLocaleString('en-US')} events (${seconds(performance.now() - generateStarted)} s)`)
  }
  const generateMs = performance.now() - generateStarted

  const plainSql = `SELECT subscription_id, product_id, purpose, count(*) AS events, sum(calls), sum(records), sum(fields_masked), sum(export_bytes)
                    FROM usage_events WHERE at >= ? AND at < ? GROUP BY subscription_id, product_id, purpose`
  // SQLite runs in this process: CPU time is reported beside wall time (steadier on a shared machine).
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since)
    return (d.user + d.system) / 1000
  }
  async function plainGroupBy(): Promise<{ ms: number; cpuMs: number; groups: number; events: number }> {
    const started = performance.now()
    const cpu = process.cpuUsage()
    const result = await client.execute({ sql: plainSql, args: [month.start, month.end] })
    const ms = performance.now() - started
    return { ms, cpuMs: cpuMs(cpu), groups: result.rows.length, events: result.rows.reduce((s, r) => s + Number(r.events), 0) }
  }
  const planOf = async (text: string, params: (string | number)[]) =>
    (await client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: params })).rows.map((r) => String(r.detail))

  progress('plain GROUP BY (1/2)')
  const plainBefore = await plainGroupBy()
  progress(`  ${seconds(plainBefore.ms)} s, ${plainBefore.groups} groups`)

  progress(`closing ${month.period}`)
  const closeStarted = performance.now()
  const closeCpu = process.cpuUsage()
  const closed = await closeBillingPeriod(db, { period: month.period, actor: cliActor('bench') })
  const closeMs = performance.now() - closeStarted
  const closeCpuMs = cpuMs(closeCpu)
  if (!closed.ok) throw new Error(`close refused: ${closed.error.code} ${closed.error.message}`)
  progress(`  ${seconds(closeMs)} s, ${closed.value.invoices.length} invoices`)

  progress('plain GROUP BY (2/2)')
  const plainAfter = await plainGroupBy()
  progress(`  ${seconds(plainAfter.ms)} s`)
  const plain = plainBefore.ms <= plainAfter.ms ? plainBefore : plainAfter

  // The revenue dashboard's loader (getRevenueDashboard) over the closed month and the (empty) open one: 5 runs.
  progress('revenue dashboard (5 runs)')
  const dashboardRuns: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    const dash = await getRevenueDashboard(db, { now: Date.now(), months: 12 })
    dashboardRuns.push(performance.now() - started)
    if (dash.totals.chargedFen + dash.totals.waivedFen <= 0) throw new Error('the dashboard shows no revenue')
  }
  const dashboardMs = [...dashboardRuns].sort((a, b) => a - b)[2]!
  progress(`  median ${Math.round(dashboardMs)} ms`)

  if (plain.events !== totalEvents || closed.value.eventsRated !== totalEvents) {
    throw new Error(`event counts differ: generated ${totalEvents}, plain ${plain.events}, close ${closed.value.eventsRated}`)
  }
  const [sizes] =
    (await db.all<{ pages: number; size: number }>(
      sql`SELECT page_count AS pages, page_size AS size FROM pragma_page_count(), pragma_page_size()`,
    )) ?? []
  const plainRate = totalEvents / (plain.ms / 1000)
  const closeRate = totalEvents / (closeMs / 1000)
  const report = {
    events: totalEvents,
    period: month.period,
    subscriptions: subs.length,
    partners: partnerCount,
    databaseBytes: sizes ? sizes.pages * sizes.size : null,
    generateSeconds: seconds(generateMs),
    plainGroupBy: {
      seconds: seconds(plain.ms),
      cpuSeconds: seconds(plain.cpuMs),
      eventsPerSecond: Math.round(plainRate),
      groups: plain.groups,
      runs: [seconds(plainBefore.ms), seconds(plainAfter.ms)],
    },
    close: {
      seconds: seconds(closeMs),
      cpuSeconds: seconds(closeCpuMs),
      eventsPerSecond: Math.round(closeRate),
      invoices: closed.value.invoices.length,
      lines: closed.value.invoices.reduce((s, i) => s + i.lines.length, 0),
      totalFen: closed.value.invoices.reduce((s, i) => s + i.totalFen, 0),
      waivedFen: closed.value.invoices.reduce((s, i) => s + i.waivedFen, 0),
    },
    revenueDashboard: {
      medianMs: Math.round(dashboardMs),
      runsMs: dashboardRuns.map((ms) => Math.round(ms)),
      targetMs: 300,
      meetsTarget: dashboardMs <= 300,
    },
    ratio: Math.round((closeRate / plainRate) * 1000) / 1000,
    cpuRatio: Math.round((plain.cpuMs / closeCpuMs) * 1000) / 1000,
    target: TARGET_RATIO,
    meetsTarget: closeRate / plainRate >= TARGET_RATIO,
    plans: {
      plain: await planOf(plainSql, [month.start, month.end]),
      closeDay: await planOf(
        `SELECT subscription_id, purpose, count(*) FROM usage_events WHERE "at" >= ? AND "at" < ? AND rowid <= ? GROUP BY subscription_id, purpose`,
        [month.start, month.start + 86_400_000, totalEvents],
      ),
      closeLate: await planOf(
        `SELECT subscription_id, purpose, count(*) FROM usage_events WHERE rowid > ? AND rowid <= ? AND +"at" < ? GROUP BY subscription_id, purpose`,
        [0, totalEvents, month.start],
      ),
    },
    node: process.version,
  }
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(
      `Billing close over ${totalEvents.toLocaleString('en-US')} events (${month.period}, ${subs.length} subscriptions)`,
    )
    console.log(
      `  plain GROUP BY : ${report.plainGroupBy.seconds} s (cpu ${report.plainGroupBy.cpuSeconds} s)  ${report.plainGroupBy.eventsPerSecond.toLocaleString('en-US')} events/s`,
    )
    console.log(
      `  close          : ${report.close.seconds} s (cpu ${report.close.cpuSeconds} s)  ${report.close.eventsPerSecond.toLocaleString('en-US')} events/s  (${report.close.invoices} invoices, ${report.close.lines} lines)`,
    )
    console.log(
      `  ratio          : ${report.ratio} wall, ${report.cpuRatio} cpu (target ≥ ${TARGET_RATIO}) ${report.meetsTarget ? 'MET' : 'NOT MET'}`,
    )
    console.log(
      `  dashboard      : median ${report.revenueDashboard.medianMs} ms of ${report.revenueDashboard.runsMs.join(', ')} (target ≤ 300 ms) ${report.revenueDashboard.meetsTarget ? 'MET' : 'NOT MET'}`,
    )
    console.log(
      `  plans          : plain ${report.plans.plain.join('; ')} | close, per day ${report.plans.closeDay.join('; ')} | late ${report.plans.closeLate.join('; ')}`,
    )
  }
  if (!report.meetsTarget) process.exitCode = 1
} finally {
  database.close()
  if (!args['keep-db']) rmSync(dir, { recursive: true, force: true })
  else progress(`kept ${dir}`)
}
