/**
 * Operation report bench (ADR 0035).
 *
 *   npm run bench:reports -- [--events <n>] [--partners <n>] [--json]
 *
 * 1. A fresh temp SQLite database: migrate, seed city `small`, seedPlatform (the demo, its submitted report included).
 *    The annual report of the current year is generated over the demo's own records first ("a year of demo events").
 * 2. `--partners` partners (default 50), each subscribed to every product (one in ten for public interest), and
 *    `--events` usage events (default 1,000,000) spread evenly over LAST calendar year (Asia/Shanghai), written inside
 *    SQLite by a recursive CTE in chunks of 250,000, with lineage of one or two datasets and source units; plus one
 *    refusal per 100 events.
 * 3. Timed: a plain GROUP BY of the year's events (the floor any report must scan), the year's figures
 *    (computeReportFigures), generating and storing the annual report (generateOperationReport), a quarter's figures,
 *    and rendering the PDF (with its charts) and the XLSX of the annual figures.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { partners, products, subscriptions } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { localParts } from '#platform/calendar/shanghai-calendar.ts'
import { computeReportFigures } from '#reporting/figures/compute-report-figures.ts'
import { findFigure } from '#reporting/figures/figure-types.ts'
import { parseReportPeriod } from '#reporting/periods/report-period.ts'
import { generateOperationReport } from '#reporting/reports/generate-operation-report.ts'
import { renderReportPdf } from '#reporting/render/render-report-pdf.ts'
import { renderReportXlsx } from '#reporting/render/render-report-sheets.ts'

const CHUNK = 250_000
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    partners: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
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
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await fn()
  return { ms: performance.now() - started, value }
}

const operator: Actor = { id: null, label: 'bench', role: 'operator' }
const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-reports-'))
const database = await openDatabase(`file:${join(dir, 'bench.db')}`)
const { db, client } = database
try {
  progress(`database ${dir}`)
  await migrateDatabase(db)
  await seedCity(db, { scale: 'small' })
  await seedPlatform(db)

  const thisYear = parseReportPeriod(String(localParts(Date.now()).year))!
  const demoYear = await timed(() => computeReportFigures(db, { period: thisYear }))
  const demoCalls = findFigure(demoYear.value, 'interaction', 'calls_total')!.value
  progress(`demo: annual figures of ${thisYear.period} (${demoCalls} calls) in ${seconds(demoYear.ms)} s`)

  const year = parseReportPeriod(String(localParts(Date.now()).year - 1))!
  const productRows = await db.select({ id: products.id }).from(products)
  const subscribedAt = year.start - 86_400_000
  const subs: { id: string; partnerId: string; productId: string; purpose: 'industrial' | 'public_interest' }[] = []
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
      db
        .insert(subscriptions)
        .values(rows.map((r) => ({ ...r, state: 'active' as const, createdAt: subscribedAt, decidedAt: subscribedAt }))),
    ])
    subs.push(...rows)
  }
  await client.execute('CREATE TEMP TABLE bench_subs (i INTEGER PRIMARY KEY, sub TEXT, partner TEXT, product TEXT, purpose TEXT)')
  for (let i = 0; i < subs.length; i += 500) {
    const slice = subs.slice(i, i + 500)
    await client.execute({
      sql: `INSERT INTO bench_subs VALUES ${slice.map(() => '(?, ?, ?, ?, ?)').join(',')}`,
      args: slice.flatMap((s, j) => [i + j, s.id, s.partnerId, s.productId, s.purpose]),
    })
  }
  progress(`${subs.length} subscriptions; generating ${totalEvents.toLocaleString('en-US')} events over ${year.period}`)
  const span = year.end - year.start
  const generated = await timed(async () => {
    for (let from = 0; from < totalEvents; from += CHUNK) {
      const to = Math.min(totalEvents, from + CHUNK)
      await client.execute({
        sql: `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?)
              INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation, status,
                                        dataset_codes, source_unit_codes, authorization_codes, calls, records, fields_masked, bytes_out, compute_ms, export_bytes)
              SELECT lower(hex(randomblob(16))), ? + (n * ?) / ?, 'req_' || lower(hex(randomblob(16))), 'bench-key', s.sub, s.partner, s.product, s.purpose,
                     'bench', 200,
                     CASE n % 3 WHEN 0 THEN 'DS-SCJG-0001' WHEN 1 THEN 'DS-SCJG-0001,DS-SW-0001' ELSE 'DS-SW-0001' END,
                     CASE n % 3 WHEN 0 THEN 'market-regulation' WHEN 1 THEN 'market-regulation,tax' ELSE 'tax' END,
                     'SQ-BENCH', 1, n % 3, n % 5, 20, 3, CASE WHEN n % 50 = 0 THEN 250000 ELSE 0 END
              FROM seq JOIN bench_subs AS s ON s.i = n % ?`,
        args: [from, to, year.start, span, totalEvents, subs.length],
      })
      await client.execute({
        sql: `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 100 FROM seq WHERE n + 100 < ?)
              INSERT INTO rejected_calls (id, at, request_id, operation, status, code)
              SELECT lower(hex(randomblob(16))), ? + (n * ?) / ?, 'req_x', 'bench', 429, CASE n % 3 WHEN 0 THEN 'rate_limited' WHEN 1 THEN 'quota_exhausted' ELSE 'not_subscribed' END FROM seq`,
        args: [from, to, year.start, span, totalEvents],
      })
      progress(`  ${to.toLocaleString('en-US')} events`)
    }
  })

  const plain = await timed(() =>
    client.execute({
      sql: `SELECT subscription_id, source_unit_codes, dataset_codes, count(*), sum(calls), sum(records), sum(fields_masked), sum(compute_ms)
            FROM usage_events WHERE at >= ? AND at < ? AND status < 400 GROUP BY subscription_id, source_unit_codes, dataset_codes`,
      args: [year.start, year.end],
    }),
  )
  const figures = await timed(() => computeReportFigures(db, { period: year }))
  const calls = findFigure(figures.value, 'interaction', 'calls_total')!.value
  if (calls !== totalEvents) throw new Error(`the figures count ${calls} calls, the bench wrote ${totalEvents}`)
  const stored = await timed(() => generateOperationReport(db, { actor: operator, period: year.period }))
  if (!stored.value.ok) throw new Error(stored.value.error.code)
  const quarter = await timed(() => computeReportFigures(db, { period: parseReportPeriod(`${year.period}-Q2`)! }))
  const pdf = await timed(() =>
    renderReportPdf({
      figures: figures.value,
      narrative: { summary: '压测' },
      version: 1,
      state: 'draft',
      submittedAt: null,
      bureauComment: null,
    }),
  )
  const xlsx = await timed(() => renderReportXlsx(figures.value, { version: 1, state: 'draft' }))

  const result = {
    demo: { period: thisYear.period, calls: demoCalls, figuresSeconds: seconds(demoYear.ms) },
    synthetic: {
      period: year.period,
      events: totalEvents,
      subscriptions: subs.length,
      generateSeconds: seconds(generated.ms),
      plainGroupBySeconds: seconds(plain.ms),
      annualFiguresSeconds: seconds(figures.ms),
      annualReportStoredSeconds: seconds(stored.ms),
      quarterFiguresSeconds: seconds(quarter.ms),
      pdfSeconds: seconds(pdf.ms),
      pdfBytes: pdf.value.length,
      xlsxSeconds: seconds(xlsx.ms),
      xlsxBytes: xlsx.value.length,
    },
  }
  if (args.json) console.log(JSON.stringify(result, null, 2))
  else {
    const s = result.synthetic
    console.log(`demo year ${result.demo.period}: ${result.demo.calls} calls, annual figures in ${result.demo.figuresSeconds} s`)
    console.log(`${s.events.toLocaleString('en-US')} events over ${s.period} (${s.subscriptions} subscriptions):`)
    console.log(`  plain GROUP BY of the year      ${s.plainGroupBySeconds} s`)
    console.log(`  annual figures                  ${s.annualFiguresSeconds} s`)
    console.log(`  annual report generated, stored ${s.annualReportStoredSeconds} s`)
    console.log(`  a quarter's figures             ${s.quarterFiguresSeconds} s`)
    console.log(`  PDF with charts                 ${s.pdfSeconds} s (${s.pdfBytes} bytes)`)
    console.log(`  XLSX                            ${s.xlsxSeconds} s (${s.xlsxBytes} bytes)`)
  }
} finally {
  database.close()
  rmSync(dir, { recursive: true, force: true })
}
