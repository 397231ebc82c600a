/**
 * Log export bench (docs/BENCHMARKS.md, "Log export").
 *
 *   npm run bench:log-export -- [--rows <n>] [--json] [--keep-db]
 *
 * 1. A fresh temp SQLite database: migrate, seedPlatform (partners, products, datasets, source units, demo accounts).
 * 2. `--rows` usage events (default 1,000,000), one every 100 ms, over the seeded partner's subscriptions, written inside
 *    SQLite by a recursive CTE (the gateway's own write path is bench:gateway's).
 * 3. The export as the auditor's download runs it (supervision/logs/export-logs.ts): CSV, newest first, keyset pages of
 *    1,000 rows with names instead of keys, consumed to the end by a sink that counts lines and bytes. Peak RSS is
 *    sampled every 20 ms and after every chunk; the figure that matters is the growth over the RSS before the export.
 * 4. One search page at the start of the log and one 900,000 rows in (by cursor), to show keyset pages cost the same
 *    wherever they are.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { exportLogs } from '#supervision/logs/export-logs.ts'
import { encodeCursor } from '#supervision/logs/log-query.ts'
import { searchLogs } from '#supervision/logs/search-logs.ts'

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    json: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
  strict: true,
})
const rows = Math.round(Number(args.rows))
if (!Number.isInteger(rows) || rows < 1) {
  console.error('--rows must be a positive whole number')
  process.exit(2)
}
const progress = (line: string) => console.error(`[bench] ${line}`)
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10
const auditor: Actor = { id: null, label: 'bench-auditor', role: 'auditor' }

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-logs-'))
const database = await openDatabase(`file:${join(dir, 'bench.db')}`)
const { db } = database
try {
  progress(`database ${dir}`)
  await migrateDatabase(db)
  await seedPlatform(db)
  const subs = await db.all<{ sub: string; partner: string; product: string; key: string }>(sql`
    SELECT s.id AS sub, s.partner_id AS partner, s.product_id AS product, k.id AS key
    FROM subscriptions s JOIN api_keys k ON k.partner_id = s.partner_id WHERE s.state = 'active'`)
  if (subs.length === 0) throw new Error('no active subscription with a key in the seed')
  await db.run(sql`CREATE TEMP TABLE bench_subs (i INTEGER PRIMARY KEY, sub TEXT, partner TEXT, product TEXT, key TEXT)`)
  for (const [i, s] of subs.entries()) {
    await db.run(sql`INSERT INTO bench_subs VALUES (${i}, ${s.sub}, ${s.partner}, ${s.product}, ${s.key})`)
  }
  const start = Date.now() - rows * 100
  const generated = performance.now()
  const CHUNK = 250_000
  for (let from = 0; from < rows; from += CHUNK) {
    const to = Math.min(rows, from + CHUNK)
    await db.run(sql`
      WITH RECURSIVE seq(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM seq WHERE i < ${to - 1})
      INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation,
        status, dataset_codes, source_unit_codes, authorization_codes, records)
      SELECT 'bench-' || seq.i, ${start} + seq.i * 100, 'req_' || printf('%032x', seq.i), b.key, b.sub, b.partner, b.product, 'industrial',
        'verifyEnterprise', 200, 'DS-SCJG-0001', 'market-regulation', 'SQ-BENCH', 1
      FROM seq JOIN bench_subs b ON b.i = seq.i % ${subs.length}`)
    progress(`generated ${to.toLocaleString('en-US')} rows`)
  }
  const generateSeconds = (performance.now() - generated) / 1000

  // Keyset pages: the first, and one 90 % of the way in.
  const firstPageStarted = performance.now()
  const first = await searchLogs(db, { actor: auditor, input: { kind: 'usage' } })
  const firstPageMs = performance.now() - firstPageStarted
  const deep = await db.all<{ at: number; rid: number }>(
    sql`SELECT at, rowid AS rid FROM usage_events ORDER BY at DESC, rowid DESC LIMIT 1 OFFSET ${Math.floor(rows * 0.9)}`,
  )
  const deepCursor = deep[0] ? encodeCursor({ at: deep[0].at, rowid: deep[0].rid }) : null
  const deepStarted = performance.now()
  const deepPage = await searchLogs(db, { actor: auditor, input: { kind: 'usage' }, cursor: deepCursor })
  const deepPageMs = performance.now() - deepStarted
  if (!first.ok || !deepPage.ok) throw new Error('search failed')

  global.gc?.()
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const sample = () => {
    const rss = process.memoryUsage().rss
    if (rss > peak) peak = rss
  }
  const timer = setInterval(sample, 20)
  const exportStarted = performance.now()
  const result = await exportLogs(db, { actor: auditor, input: { kind: 'usage' }, format: 'csv' })
  if (!result.ok) throw new Error(result.error.code)
  const reader = result.value.stream.getReader()
  let bytes = 0
  let lines = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    bytes += value.byteLength
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++
    sample()
  }
  const exportSeconds = (performance.now() - exportStarted) / 1000
  clearInterval(timer)
  const exported = lines - 1
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    rows,
    generateSeconds: Math.round(generateSeconds * 10) / 10,
    exportedRows: exported,
    exportSeconds: Math.round(exportSeconds * 10) / 10,
    rowsPerSecond: Math.round(exported / exportSeconds),
    csvMegabytes: mb(bytes),
    rssBeforeMegabytes: mb(rssBefore),
    peakRssMegabytes: mb(peak),
    rssGrowthMegabytes: mb(peak - rssBefore),
    firstPageMs: Math.round(firstPageMs * 10) / 10,
    pageAt90PercentMs: Math.round(deepPageMs * 10) / 10,
  }
  if (exported !== rows) throw new Error(`exported ${exported} of ${rows} rows`)
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(`Log export (CSV, usage, ${rows.toLocaleString('en-US')} rows)`)
    console.log(
      `  machine:      ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}; load ${report.loadAverage.join(' ')}`,
    )
    console.log(
      `  export:       ${report.exportSeconds} s, ${report.rowsPerSecond.toLocaleString('en-US')} rows/s, ${report.csvMegabytes} MB of CSV`,
    )
    console.log(
      `  memory:       RSS ${report.rssBeforeMegabytes} MB before, peak ${report.peakRssMegabytes} MB (+${report.rssGrowthMegabytes} MB)`,
    )
    console.log(`  keyset pages: first ${report.firstPageMs} ms, 90 % in ${report.pageAt90PercentMs} ms`)
  }
} finally {
  database.close()
  if (!args['keep-db']) rmSync(dir, { recursive: true, force: true })
}
