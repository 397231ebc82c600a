/**
 * Sandbox model bench (ADR 0044).
 *
 *   npx tsx bench/sandbox-models.ts [--scale city|small] [--json]
 *
 * A fresh temp SQLite database (migrate, seedCity at the scale, seedPlatform), the gateway on a bare node:http server,
 * then a fixed list of sensible models trained through `POST /api/v1/sandbox/models` with the demo key: for each, the
 * wall time and the billed compute_ms, the longest stall of the event loop meanwhile (fitting runs in a worker thread), the rows, the held-out AUC, the membership-inference AUC and which reversibility
 * checks passed. A sensible model refused by the checks is a false refusal.
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
  options: { scale: { type: 'string', default: 'city' }, json: { type: 'boolean', default: false } },
  strict: true,
})
const scale = args.scale === 'small' ? 'small' : 'city'
const progress = (line: string) => console.error(`[bench] ${line}`)
const R = 'DS-SCJG-0001'
const T = 'DS-SW-0001'

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-models-'))
const database = await openDatabase(`file:${join(dir, 'bench.db')}`)
const { db } = database
const gateway = createGateway({ db })
const server = createServer((req, res) => gateway.handle(req, res))
try {
  await migrateDatabase(db)
  const seeded = performance.now()
  await seedCity(db, { scale })
  const { demoApiKey } = await seedPlatform(db)
  const [y] = await db.all<{ year: number; n: number }>(
    sql`select max(year) year, (select count(*) from city_enterprises) n from city_tax_credit_ratings`,
  )
  progress(`seeded ${y!.n} enterprises in ${Math.round((performance.now() - seeded) / 1000)} s`)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/sandbox/models`

  const base = { from: R, join: [{ dataset: T, on: 'uscc' }], label: { field: `${T}.rating`, positive: ['C', 'D'] } }
  const latest = [{ field: `${T}.year`, op: 'eq', value: y!.year }]
  const models: { name: string; spec: Record<string, unknown> }[] = [
    {
      name: 'LR: rated C/D from capital, industry, status (all years)',
      spec: { ...base, kind: 'logistic_regression', features: [`${R}.registered_capital_wan`, `${R}.industry`, `${R}.status`] },
    },
    {
      name: 'LR: rated C/D, latest year, + district and year founded',
      spec: {
        ...base,
        kind: 'logistic_regression',
        filters: latest,
        features: [`${R}.registered_capital_wan`, `${R}.industry`, `${R}.status`, `${R}.district_code`, `${R}.founded_year`],
      },
    },
    {
      name: 'Tree (depth 4): rated C/D from capital, industry, status',
      spec: {
        ...base,
        kind: 'decision_tree',
        filters: latest,
        features: [`${R}.registered_capital_wan`, `${R}.industry`, `${R}.status`],
      },
    },
    {
      name: 'Tree (depth 6): rated A from capital, industry, district',
      spec: {
        ...base,
        kind: 'decision_tree',
        filters: latest,
        label: { field: `${T}.rating`, positive: ['A'] },
        features: [`${R}.registered_capital_wan`, `${R}.industry`, `${R}.district_code`],
        params: { maxDepth: 6 },
      },
    },
    {
      name: 'Tree (L2): abnormal or revoked from capital and industry',
      spec: {
        kind: 'decision_tree',
        from: R,
        features: [`${R}.registered_capital_wan`, `${R}.industry`],
        label: { field: `${R}.status`, positive: ['abnormal', 'revoked'] },
      },
    },
  ]
  const results = []
  for (const m of models) {
    // The longest the event loop stood still while the model trained: what every other call of the process waited.
    const stall = startStallMeter()
    const started = performance.now()
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(m.spec),
    })
    const body = (await res.json()) as any
    const wallMs = Math.round(performance.now() - started)
    const loopMaxMs = stall.stop()
    if (res.status !== 201) {
      results.push({ name: m.name, status: res.status, error: body.error?.code })
      continue
    }
    const mia = body.checks.find((c: any) => c.code === 'membership_inference').measure.auc
    results.push({
      name: m.name,
      wallMs,
      loopMaxMs,
      computeMs: body.computeMs,
      trainRows: body.trainRows,
      testRows: body.testRows,
      testAuc: body.metrics.test.auc,
      trainAuc: body.metrics.train.auc,
      membershipAuc: mia,
      failed: body.checks.filter((c: any) => !c.passed).map((c: any) => c.code),
    })
    progress(
      `${m.name}: ${wallMs} ms (event loop stood still ≤ ${loopMaxMs} ms), test AUC ${body.metrics.test.auc}, MIA AUC ${mia}`,
    )
  }
  const report = { scale, cpus: cpus().length, load: loadavg().map((l) => Math.round(l * 10) / 10), results }
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else console.table(results)
} finally {
  server.closeAllConnections()
  server.close()
  await gateway.close()
  database.close()
  rmSync(dir, { recursive: true, force: true })
}
