/**
 * Lago outbox drain bench (docs/BENCHMARKS-billing.md).
 *
 *   npx tsx bench/lago.ts [--events <n>] [--concurrency <n>] [--json]
 *
 * A fresh temp database (migrate, city `small`, seedPlatform with the billing demo), `--events` usage events (default
 * 200,000; one in fifty with an export, so a little more Lago events than usage events) written inside SQLite, then
 * `syncLagoOutbox` against a local Lago-compatible endpoint: a bare node:http server in this process that checks the
 * Bearer key, at most 100 events per batch, the required fields, and refuses a transaction id it already has (422
 * value_already_exist, as Lago does). Timed: filling the outbox, and draining it. Exactly once: every outbox row
 * delivered, the server accepted each transaction id once and the totals agree. Target: ≥ 10,000 events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { randomUUID } from 'node:crypto'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { products, subscriptions } from '#db/schema/index.ts'
import { eq } from 'drizzle-orm'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { syncLagoOutbox } from '#billing/lago/sync-lago-outbox.ts'
import { getLagoOutboxState } from '#billing/lago/get-lago-outbox-state.ts'

const TARGET = 10_000
const KEY = 'bench-lago-key'
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    concurrency: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
})
const totalEvents = Math.round(Number(args.events))
const concurrency = Math.round(Number(args.concurrency))
const progress = (line: string) => console.error(`[bench:lago] ${line}`)

// The local Lago-compatible endpoint.
const received = new Set<string>()
let accepted = 0
let duplicates = 0
let requests = 0
const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as Record<string, unknown> | null
}
const lago = createServer(async (req, res) => {
  requests++
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  if (req.headers.authorization !== `Bearer ${KEY}`)
    return send(401, { status: 401, error: 'Unauthorized', code: 'unauthorized' })
  const body = await readBody(req)
  const path = req.url ?? ''
  if (req.method === 'POST' && path === '/api/v1/events/batch') {
    const events = (body?.events ?? []) as Record<string, unknown>[]
    if (!Array.isArray(events) || events.length > 100)
      return send(422, {
        status: 422,
        error: 'Unprocessable Entity',
        code: 'validation_errors',
        error_details: { events: ['too_many_events'] },
      })
    const details: Record<string, unknown> = {}
    events.forEach((e, i) => {
      if (!e.transaction_id || !e.external_subscription_id || !e.code) details[i] = { transaction_id: ['value_is_mandatory'] }
      else if (received.has(String(e.transaction_id))) details[i] = { transaction_id: ['value_already_exist'] }
    })
    if (Object.keys(details).length) {
      duplicates += Object.keys(details).length
      return send(422, { status: 422, error: 'Unprocessable Entity', code: 'validation_errors', error_details: details })
    }
    for (const e of events) received.add(String(e.transaction_id))
    accepted += events.length
    return send(200, { events: events.map((e) => ({ lago_id: randomUUID(), ...e })) })
  }
  const kind = {
    '/api/v1/billable_metrics': 'billable_metric',
    '/api/v1/plans': 'plan',
    '/api/v1/customers': 'customer',
    '/api/v1/subscriptions': 'subscription',
  }[path]
  if (req.method === 'POST' && kind) return send(200, { [kind]: { lago_id: randomUUID(), ...((body?.[kind] as object) ?? {}) } })
  send(404, { status: 404, error: 'Not Found', code: 'not_found' })
})
await new Promise<void>((resolve) => lago.listen(0, '127.0.0.1', resolve))
const config = { apiUrl: `http://127.0.0.1:${(lago.address() as AddressInfo).port}`, apiKey: KEY }

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-lago-'))
const database = await openDatabase(`file:${join(dir, 'bench.db')}`)
const { db, client } = database
try {
  await migrateDatabase(db)
  await seedCity(db, { scale: 'small' })
  await seedPlatform(db)
  const subs = await db
    .select({
      id: subscriptions.id,
      partnerId: subscriptions.partnerId,
      productId: subscriptions.productId,
      purpose: subscriptions.purpose,
    })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(eq(subscriptions.state, 'active'))
  if (subs.length === 0) throw new Error('no active subscription in the seed')
  await client.execute('CREATE TEMP TABLE bench_subs (i INTEGER PRIMARY KEY, sub TEXT, partner TEXT, product TEXT, purpose TEXT)')
  await client.execute({
    sql: `INSERT INTO bench_subs VALUES ${subs.map(() => '(?, ?, ?, ?, ?)').join(',')}`,
    args: subs.flatMap((s, i) => [i, s.id, s.partnerId, s.productId, s.purpose]),
  })
  const month = previousPeriod(periodOf(Date.now()))
  progress(`${totalEvents.toLocaleString('en-US')} usage events over ${subs.length} subscriptions in ${month.period}`)
  await client.execute({
    sql: `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?)
          INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation, status, calls, export_bytes)
          SELECT lower(hex(randomblob(16))), ? + (n * ?) / ?, 'req_' || lower(hex(randomblob(16))), 'bench-key', s.sub, s.partner, s.product, s.purpose,
                 'bench', 200, 1, CASE WHEN n % 50 = 0 THEN 250000 ELSE 0 END
          FROM seq JOIN bench_subs AS s ON s.i = n % ?`,
    args: [totalEvents, month.start, month.end - month.start, totalEvents, subs.length],
  })
  const [existing] = (await client.execute('SELECT count(*) AS n FROM usage_events')).rows
  const usageTotal = Number(existing!.n)

  // 1. Fill the outbox (INSERT … SELECT inside SQLite).
  const now = Date.now()
  let started = performance.now()
  const filled = await syncLagoOutbox(db, { now, config, drain: false })
  const enqueueMs = performance.now() - started
  const [rows] = (await client.execute('SELECT count(*) AS n FROM lago_outbox')).rows
  const lagoEvents = Number(rows!.n)
  progress(`outbox: ${filled.enqueued} usage events → ${lagoEvents} Lago events in ${Math.round(enqueueMs)} ms`)

  // 2. Drain it (mirror, then batches of 100, `concurrency` at a time).
  started = performance.now()
  const drained = await syncLagoOutbox(db, { now, config, concurrency })
  const drainMs = performance.now() - started
  const state = await getLagoOutboxState(db, { now })
  const exactlyOnce =
    state.pending === 0 && state.delivered === lagoEvents && received.size === lagoEvents && accepted === lagoEvents
  const rate = lagoEvents / (drainMs / 1000)
  const report = {
    usageEvents: usageTotal,
    lagoEvents,
    enqueue: { ms: Math.round(enqueueMs), eventsPerSecond: Math.round(lagoEvents / (enqueueMs / 1000)) },
    drain: {
      ms: Math.round(drainMs),
      eventsPerSecond: Math.round(rate),
      batches: drained.delivery?.batches ?? 0,
      httpRequests: requests,
      concurrency,
    },
    exactlyOnce,
    duplicatesRefused: duplicates,
    target: TARGET,
    meetsTarget: rate >= TARGET && exactlyOnce,
    node: process.version,
  }
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(
      `Lago outbox drain: ${lagoEvents.toLocaleString('en-US')} Lago events from ${usageTotal.toLocaleString('en-US')} usage events`,
    )
    console.log(`  fill outbox : ${report.enqueue.ms} ms (${report.enqueue.eventsPerSecond.toLocaleString('en-US')} events/s)`)
    console.log(
      `  drain       : ${report.drain.ms} ms  ${report.drain.eventsPerSecond.toLocaleString('en-US')} events/s  (${report.drain.batches} batches, concurrency ${concurrency})`,
    )
    console.log(`  exactly once: ${exactlyOnce ? 'yes' : 'NO'} (server holds ${received.size}, accepted ${accepted})`)
    console.log(`  target ≥ ${TARGET.toLocaleString('en-US')} events/s: ${report.meetsTarget ? 'MET' : 'NOT MET'}`)
  }
  if (!report.meetsTarget) process.exitCode = 1
} finally {
  database.close()
  lago.close()
  rmSync(dir, { recursive: true, force: true })
}
