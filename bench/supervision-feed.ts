/**
 * Supervision feed bench (docs/BENCHMARKS.md, "Supervision log feed").
 *
 *   npx tsx bench/supervision-feed.ts [--records <n>] [--batch <n>] [--load-rate <events/s>] [--load-seconds <s>]
 *                                     [--interval <ms>] [--json]
 *
 * A fresh temp database (migrate, city `small`, seedPlatform), then:
 *
 * 1. Throughput: `--records` usage events with lineage (default 200,000) written inside SQLite, then
 *    `syncSupervisionFeed` against a local receiver in this process (node:http on port 0, as the exchange would
 *    implement api-specs/supervision-feed.yaml: it checks the HMAC-SM3 signature over the raw body, parses the batch,
 *    stores each idempotency key once and checks seq order). Timed: filling the outbox, draining it. Every record
 *    delivered once, in order.
 * 2. Lag under load: usage events committed at `--load-rate` per second (default 5,000: what the gateway bench answers
 *    on this machine, committed as the gateway's group commit does, one batch every 10 ms) for `--load-seconds`
 *    (default 30), while the feed runs every `--interval` ms (default 10,000: the server's scheduler). Sampled every
 *    250 ms: records not yet delivered, and the age of the oldest. The gateway's HTTP work itself is not run here (no
 *    autocannon): the feed sees only the rows the gateway commits, and shares the process and the database with them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { subscriptions, usageEvents } from '#db/schema/index.ts'
import { syncSupervisionFeed } from '#supervision/feed/sync-supervision-feed.ts'
import { getSupervisionFeedState } from '#supervision/feed/get-supervision-feed-state.ts'
import { FEED_SIGNATURE_HEADER, verifyFeedSignature } from '#supervision/feed/sign-feed-batch.ts'

const KEY = 'bench-supervision-feed-key-0123456789'
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '500' },
    'load-rate': { type: 'string', default: '5000' },
    'load-seconds': { type: 'string', default: '30' },
    interval: { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
})
const total = Math.round(Number(args.records))
const batchSize = Math.round(Number(args.batch))
const loadRate = Math.round(Number(args['load-rate']))
const loadSeconds = Number(args['load-seconds'])
const intervalMs = Math.round(Number(args.interval))
const progress = (line: string) => console.error(`[bench:feed] ${line}`)

// The receiving side.
const keys = new Set<string>()
let lastSeq = 0
let accepted = 0
let duplicates = 0
let badSignatures = 0
let outOfOrder = 0
let requests = 0
const receiver = createServer(async (req, res) => {
  requests++
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const body = Buffer.concat(chunks)
  const send = (status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(payload))
  }
  if (!verifyFeedSignature(KEY, body, req.headers[FEED_SIGNATURE_HEADER.toLowerCase()] as string | undefined)) {
    badSignatures++
    return send(401, { error: { code: 'bad_signature', message: '' } })
  }
  const batch = JSON.parse(body.toString('utf8')) as { batchId: string; records: { seq: number; idempotencyKey: string }[] }
  let n = 0
  let d = 0
  for (const r of batch.records) {
    if (keys.has(r.idempotencyKey)) {
      d++
      continue
    }
    if (r.seq !== lastSeq + 1) outOfOrder++
    lastSeq = r.seq
    keys.add(r.idempotencyKey)
    n++
  }
  accepted += n
  duplicates += d
  send(200, { batchId: batch.batchId, accepted: n, duplicates: d, lastSeq })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const config = { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/supervision/v1/batches`, key: KEY }

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-feed-'))
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
    .where(eq(subscriptions.state, 'active'))
  if (subs.length === 0) throw new Error('no active subscription in the seed')
  await client.execute('CREATE TEMP TABLE bench_subs (i INTEGER PRIMARY KEY, sub TEXT, partner TEXT, product TEXT, purpose TEXT)')
  await client.execute({
    sql: `INSERT INTO bench_subs VALUES ${subs.map(() => '(?, ?, ?, ?, ?)').join(',')}`,
    args: subs.flatMap((s, i) => [i, s.id, s.partnerId, s.productId, s.purpose]),
  })
  const start = Date.now() - 3_600_000
  progress(`${total.toLocaleString('en-US')} usage events over ${subs.length} subscriptions`)
  await client.execute({
    sql: `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?)
          INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation,
                                    status, dataset_codes, source_unit_codes, authorization_codes, calls, records, bytes_out, compute_ms)
          SELECT lower(hex(randomblob(16))), ? + n / 100, 'req_' || lower(hex(randomblob(16))), 'bench-key', s.sub, s.partner,
                 s.product, s.purpose, 'verifyEnterprise', 200, 'DS-SCJG-0001,DS-SW-0001', 'scjg,tax', 'SQ-2026-0001', 1, 1, 18, 2
          FROM seq JOIN bench_subs AS s ON s.i = n % ?`,
    args: [total, start, subs.length],
  })

  // 1. Throughput.
  const now = Date.now()
  let started = performance.now()
  const filled = await syncSupervisionFeed(db, { now, config, drain: false })
  const enqueueMs = performance.now() - started
  const queued = Object.values(filled.enqueued).reduce((s, n) => s + n, 0)
  progress(
    `outbox: ${queued.toLocaleString('en-US')} records (${JSON.stringify(filled.enqueued)}) in ${Math.round(enqueueMs)} ms`,
  )
  started = performance.now()
  const drained = await syncSupervisionFeed(db, { now, config, batchSize })
  const drainMs = performance.now() - started
  const state = await getSupervisionFeedState(db, { now, config })
  const [bytes] = (await client.execute('SELECT coalesce(sum(bytes), 0) AS b FROM supervision_feed_batches')).rows
  const complete = state.lag.records === 0 && accepted === queued && keys.size === queued && outOfOrder === 0
  const rate = queued / (drainMs / 1000)
  progress(`drained ${accepted.toLocaleString('en-US')} in ${Math.round(drainMs)} ms (${Math.round(rate)} records/s)`)

  // 2. Lag under the gateway's kind of load.
  const lag = { samples: 0, maxRecords: 0, maxOldestMs: 0, sumRecords: 0, syncs: 0, maxSyncMs: 0 }
  let written = 0
  const loadStart = performance.now()
  const loadEnd = loadStart + loadSeconds * 1000
  const [sub] = subs
  let writing = true
  const writer = (async () => {
    // One commit every 10 ms of the events due by then (the gateway's group commit), like one gateway process at `loadRate`.
    while (performance.now() < loadEnd) {
      const due = Math.floor(((performance.now() - loadStart) / 1000) * loadRate) - written
      if (due > 0) {
        const at = Date.now()
        const rows = Array.from({ length: due }, () => ({
          id: randomUUID(),
          at,
          requestId: `req_${randomUUID().replace(/-/g, '')}`,
          apiKeyId: 'bench-key',
          subscriptionId: sub!.id,
          partnerId: sub!.partnerId,
          productId: sub!.productId,
          purpose: sub!.purpose,
          operation: 'verifyEnterprise',
          status: 200,
          datasetCodes: 'DS-SCJG-0001',
          sourceUnitCodes: 'scjg',
          authorizationCodes: 'SQ-2026-0001',
          records: 1,
        }))
        for (let i = 0; i < rows.length; i += 500) await db.insert(usageEvents).values(rows.slice(i, i + 500))
        written += due
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    writing = false
  })()
  const feed = (async () => {
    while (writing || lag.syncs === 0) {
      const t0 = performance.now()
      await syncSupervisionFeed(db, { now: Date.now(), config, batchSize })
      lag.syncs++
      lag.maxSyncMs = Math.max(lag.maxSyncMs, performance.now() - t0)
      const wait = intervalMs - (performance.now() - t0)
      if (writing && wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
    // The last run after the load stops: everything goes.
    await syncSupervisionFeed(db, { now: Date.now(), config, batchSize })
  })()
  // One sample at a time: the state's counts are synchronous queries on the same connection, and samples queued behind
  // each other would hold the event loop the feed and the writer need.
  let sampling = false
  const sampler = setInterval(() => {
    if (sampling) return
    sampling = true
    void getSupervisionFeedState(db, { now: Date.now(), config })
      .then((s) => {
        lag.samples++
        lag.sumRecords += s.lag.records
        lag.maxRecords = Math.max(lag.maxRecords, s.lag.records)
        lag.maxOldestMs = Math.max(lag.maxOldestMs, s.lag.oldestAgeMs ?? 0)
      })
      .finally(() => (sampling = false))
  }, 250)
  await writer
  await feed
  clearInterval(sampler)
  const after = await getSupervisionFeedState(db, { now: Date.now(), config })
  const loadReport = {
    rate: loadRate,
    seconds: loadSeconds,
    written,
    intervalMs,
    syncs: lag.syncs,
    maxSyncMs: Math.round(lag.maxSyncMs),
    meanWaitingRecords: Math.round(lag.sumRecords / Math.max(1, lag.samples)),
    maxWaitingRecords: lag.maxRecords,
    maxOldestAgeMs: Math.round(lag.maxOldestMs),
    drainedAfterLoad: after.lag.records === 0,
    /** A failed attempt during the run (then resent): the feed's last error, if any. */
    lastError: after.lastError,
  }

  const report = {
    records: queued,
    enqueue: { ms: Math.round(enqueueMs), recordsPerSecond: Math.round(queued / (enqueueMs / 1000)) },
    drain: {
      ms: Math.round(drainMs),
      recordsPerSecond: Math.round(rate),
      batches: drained.delivery?.batches ?? 0,
      batchSize,
      megabytes: Math.round(Number(bytes!.b) / 1e5) / 10,
      httpRequests: requests,
    },
    complete,
    outOfOrder,
    badSignatures,
    duplicates,
    load: loadReport,
    node: process.version,
  }
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(`Supervision feed: ${queued.toLocaleString('en-US')} records to a local receiver`)
    console.log(`  fill outbox : ${report.enqueue.ms} ms (${report.enqueue.recordsPerSecond.toLocaleString('en-US')} records/s)`)
    console.log(
      `  drain       : ${report.drain.ms} ms  ${report.drain.recordsPerSecond.toLocaleString('en-US')} records/s  (${report.drain.batches} batches of ≤ ${batchSize}, ${report.drain.megabytes} MB signed)`,
    )
    console.log(
      `  complete, in order, once: ${complete ? 'yes' : 'NO'} (out of order ${outOfOrder}, bad signatures ${badSignatures})`,
    )
    console.log(
      `  under load (${loadRate}/s for ${loadSeconds} s, feed every ${intervalMs} ms): waiting records mean ${loadReport.meanWaitingRecords}, max ${loadReport.maxWaitingRecords}; oldest waiting max ${loadReport.maxOldestAgeMs} ms; longest run ${loadReport.maxSyncMs} ms; drained after: ${loadReport.drainedAfterLoad ? 'yes' : 'NO'}`,
    )
  }
  if (!complete || !loadReport.drainedAfterLoad) process.exitCode = 1
} finally {
  database.close()
  receiver.close()
  rmSync(dir, { recursive: true, force: true })
}
