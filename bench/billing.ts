/**
 * Billing close bench (docs/BENCHMARKS-billing.md).
 *
 *   npm run bench:billing -- [--events <n>] [--open-events <n>] [--partners <n>] [--json] [--keep-db]
 *
 * 1. A fresh temp SQLite database: migrate, seed city `small`, seedPlatform, seedBillingDemo (ceilings and approved
 *    price books for every product: standard, graduated, package, a monthly base fee).
 * 2. `--partners` partners (default 100), each subscribed to every product (one in ten for public interest), and
 *    `--events` usage events (default 2,000,000) spread evenly over last month, written inside SQLite by a recursive
 *    CTE in chunks of 1,000,000 as the compact rows the gateway writes (ADR 0047: a context id, a 16-byte time-ordered
 *    request key, a 32-byte subject hash on verification products), with every index. Bytes per event = the file's
 *    growth (page count × page size) over those events, indexes included.
 * 3. A plain SQLite GROUP BY over the same month (subscription, product, purpose: count and the four meter sums),
 *    timed before and after the close; the faster of the two is the baseline.
 * 4. The close itself (closeBillingPeriod: aggregation in SQL by windows, rating, one invoice per partner, stored in
 *    one batch with its audit entry), timed end to end. Target: close rate ≥ 0.5 × the plain GROUP BY's rate.
 * 5. The month in progress: `--open-events` (default 10,000,000) events over the whole month (ahead of now while the
 *    month is young: every day's rollup rows exist, the readers' worst case), rolled up by
 *    the usage:rollup job's function (timed), then the revenue dashboard (its open-month estimate reads rollups + tail)
 *    and a partner's usage page, five runs each. Target: ≤ 300 ms.
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
import { rollUpAllUsage } from '#billing/metering/roll-up-usage.ts'
import { summarizeUsage } from '#partner-access/usage/summarize-usage.ts'

const TARGET_RATIO = 0.5
const CHUNK = 1_000_000

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    'open-events': { type: 'string', default: '10000000' },
    partners: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
  strict: true,
})
const totalEvents = Math.round(Number(args.events))
const partnerCount = Math.round(Number(args.partners))
const openEvents = Math.round(Number(args['open-events']))
if (!Number.isInteger(openEvents) || openEvents < 0) fail('--open-events must be a whole number')
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
  const productRows = await db.select({ id: products.id, code: products.code }).from(products)
  const subs: { id: string; partnerId: string; productId: string; purpose: 'industrial' | 'public_interest'; verify: boolean }[] =
    []
  const subscribedAt = month.start - 86_400_000
  for (let p = 0; p < partnerCount; p++) {
    const partnerId = crypto.randomUUID()
    const rows = productRows.map((product, i) => ({
      id: crypto.randomUUID(),
      partnerId,
      productId: product.id,
      purpose: (p + i) % 10 === 0 ? ('public_interest' as const) : ('industrial' as const),
      verify: product.code.startsWith('verify'),
    }))
    await db.batch([
      db
        .insert(partners)
        .values({ id: partnerId, code: `bench-${p}`, name: `压测合作方 ${p}`, kind: 'legal_person', createdAt: subscribedAt }),
      db.insert(subscriptions).values(
        rows.map((r) => ({
          id: r.id,
          partnerId: r.partnerId,
          productId: r.productId,
          purpose: r.purpose,
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

  // The subscriptions as a numbered table with their context (the dictionary row an event of theirs refers to), so the
  // generator picks one per event by n % count inside SQLite.
  await client.execute('CREATE TEMP TABLE bench_subs (i INTEGER PRIMARY KEY, ctx INTEGER, verify INTEGER)')
  for (let i = 0; i < subs.length; i += 100) {
    const slice = subs.slice(i, i + 100)
    await client.execute({
      sql: `INSERT INTO usage_event_contexts (api_key_id, subscription_id, partner_id, product_id, purpose, operation, status, dataset_codes, source_unit_codes, authorization_codes)
            VALUES ${slice.map(() => "('bench-key', ?, ?, ?, ?, 'bench', 200, 'DS-SCJG-0001', 'market-regulation', 'SQ-SCJG-0001')").join(',')}`,
      args: slice.flatMap((s) => [s.id, s.partnerId, s.productId, s.purpose]),
    })
  }
  await client.execute(`INSERT INTO bench_subs (i, ctx, verify)
    SELECT row_number() OVER (ORDER BY c.id) - 1, c.id, p.code GLOB 'verify*' FROM usage_event_contexts c JOIN products p ON p.id = c.product_id
    WHERE c.api_key_id = 'bench-key'`)
  const pageBytes = async () => {
    const [row] = await db.all<{ pages: number; size: number }>(
      sql`SELECT page_count AS pages, page_size AS size FROM pragma_page_count(), pragma_page_size()`,
    )
    return Number(row!.pages) * Number(row!.size)
  }
  /** `count` compact events from `from` over `span` ms, as the gateway writes them (ADR 0047). */
  async function generate(count: number, from: number, span: number, label: string): Promise<number> {
    const started = performance.now()
    for (let done = 0; done < count; done += CHUNK) {
      const to = Math.min(count, done + CHUNK)
      await client.execute({
        sql: `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?),
              ev AS (SELECT n, ? + (n * ?) / ? AS at FROM seq)
              INSERT INTO usage_event_log (ctx, at, request_key, subject, calls, records, fields_masked, bytes_out, compute_ms, export_bytes)
              SELECT s.ctx, ev.at, unhex(printf('%012x', ev.at)) || randomblob(10), CASE WHEN s.verify THEN randomblob(32) END,
                     1, n % 3, n % 5, 200 + n % 700, 3, CASE WHEN n % 50 = 0 THEN 250000 ELSE 0 END
              FROM ev JOIN bench_subs AS s ON s.i = n % ?`,
        args: [done, to, from, span, count, subs.length],
      })
      progress(`  ${label}: ${to.toLocaleString('en-US')} events (${seconds(performance.now() - started)} s)`)
    }
    return performance.now() - started
  }
  const span = month.end - month.start
  const bytesBefore = await pageBytes()
  const generateMs = await generate(totalEvents, month.start, span, month.period)
  const bytesAfter = await pageBytes()
  const bytesPerEvent = (bytesAfter - bytesBefore) / totalEvents
  progress(`  ${Math.round(bytesPerEvent * 10) / 10} bytes per event with its indexes (target ≤ 150)`)

  // Over the usage_events view (what a reader writes) and over the compact rows by context (the storage's own best).
  const plainSql = `SELECT subscription_id, product_id, purpose, count(*) AS events, sum(calls), sum(records), sum(fields_masked), sum(export_bytes)
                    FROM usage_events WHERE at >= ? AND at < ? GROUP BY subscription_id, product_id, purpose`
  const compactSql = `SELECT ctx, count(*) AS events, sum(calls), sum(records), sum(fields_masked), sum(export_bytes)
                      FROM usage_event_log WHERE at >= ? AND at < ? GROUP BY ctx`
  // SQLite runs in this process: CPU time is reported beside wall time (steadier on a shared machine).
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since)
    return (d.user + d.system) / 1000
  }
  async function plainGroupBy(text = plainSql): Promise<{ ms: number; cpuMs: number; groups: number; events: number }> {
    const started = performance.now()
    const cpu = process.cpuUsage()
    const result = await client.execute({ sql: text, args: [month.start, month.end] })
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
  progress('compact GROUP BY ctx')
  const compact = await plainGroupBy(compactSql)
  progress(`  ${seconds(compact.ms)} s`)

  // The month in progress, rolled up as the usage:rollup job does.
  const open = periodOf(Date.now())
  // Spread over the whole month (dated ahead of now once the month is young): the worst case for the readers, a month
  // of daily rollup rows for every context.
  const openSpan = open.end - open.start
  const openGenerateMs = openEvents > 0 ? await generate(openEvents, open.start, openSpan, open.period) : 0
  progress('rolling up the open month')
  const rollupStarted = performance.now()
  await rollUpAllUsage(db, { now: Date.now() })
  const rollupMs = performance.now() - rollupStarted
  progress(`  ${seconds(rollupMs)} s`)
  // A few events after the watermark: the tail every reader adds.
  await generate(Math.min(1000, Math.max(1, openEvents)), Date.now() - 30_000, 20_000, 'tail')
  const usagePageRuns: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    await summarizeUsage(db, { partnerId: subs[0]!.partnerId, now: Date.now() })
    usagePageRuns.push(performance.now() - started)
  }
  const usagePageMs = [...usagePageRuns].sort((a, b) => a - b)[2]!
  progress(`  usage page median ${Math.round(usagePageMs)} ms`)

  // The revenue dashboard's loader (getRevenueDashboard) over the closed month and the open one (rollups + tail): 5 runs.
  progress('revenue dashboard (5 runs)')
  const dashboardRuns: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    const dash = await getRevenueDashboard(db, { now: Date.now(), months: 12 })
    dashboardRuns.push(performance.now() - started)
    if (dash.totals.chargedFen + dash.totals.waivedFen <= 0) throw new Error('the dashboard shows no revenue')
    progress(`  ${Math.round(dashboardRuns.at(-1)!)} ms`)
  }
  const dashboardMs = [...dashboardRuns].sort((a, b) => a - b)[2]!
  progress(`  median ${Math.round(dashboardMs)} ms`)

  if (plain.events !== totalEvents || closed.value.eventsRated !== totalEvents) {
    throw new Error(`event counts differ: generated ${totalEvents}, plain ${plain.events}, close ${closed.value.eventsRated}`)
  }
  const plainRate = totalEvents / (plain.ms / 1000)
  const closeRate = totalEvents / (closeMs / 1000)
  const report = {
    events: totalEvents,
    period: month.period,
    subscriptions: subs.length,
    partners: partnerCount,
    databaseBytes: await pageBytes(),
    generateSeconds: seconds(generateMs),
    storage: {
      bytesPerEvent: Math.round(bytesPerEvent * 10) / 10,
      targetBytesPerEvent: 150,
      meetsTarget: bytesPerEvent <= 150,
      fileGrowthBytes: bytesAfter - bytesBefore,
    },
    compactGroupBy: { seconds: seconds(compact.ms), cpuSeconds: seconds(compact.cpuMs), groups: compact.groups },
    openMonth: {
      period: open.period,
      events: openEvents,
      generateSeconds: seconds(openGenerateMs),
      rollupSeconds: seconds(rollupMs),
      usagePage: {
        medianMs: Math.round(usagePageMs),
        runsMs: usagePageRuns.map((ms) => Math.round(ms)),
        meetsTarget: usagePageMs <= 300,
      },
    },
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
    ratioToCompact: Math.round((closeRate / (totalEvents / (compact.ms / 1000))) * 1000) / 1000,
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
      `  storage        : ${report.storage.bytesPerEvent} bytes per event with indexes (target ≤ 150) ${report.storage.meetsTarget ? 'MET' : 'NOT MET'}`,
    )
    console.log(
      `  open month     : ${openEvents.toLocaleString('en-US')} events, rolled up in ${report.openMonth.rollupSeconds} s; usage page median ${report.openMonth.usagePage.medianMs} ms`,
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
