import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import {
  auditLog,
  datasetLoads,
  datasets,
  rejectedCallBuckets,
  rejectedCalls,
  subscriptions,
  supervisionFeedRecords,
  usageEvents,
} from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { verifyAuditChain } from '#platform/audit/verify-audit-chain.ts'
import { syncSupervisionFeed } from '#supervision/feed/sync-supervision-feed.ts'
import { getSupervisionFeedState } from '#supervision/feed/get-supervision-feed-state.ts'
import { requestSupervisionFeedSync } from '#supervision/feed/request-supervision-feed-sync.ts'
import { enqueueFeedRecords } from '#supervision/feed/enqueue-feed-records.ts'
import { viewSupervisionFeedState } from '#supervision/feed/view-supervision-feed-state.ts'
import { PermissionError } from '#platform/identity/permissions.ts'
import { runCli } from '#cli/platform.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { startFeedReceiver, type FeedReceiver } from '#test/support/supervision-feed-receiver.ts'

/**
 * The log feed against a real local receiver (test/support/supervision-feed-receiver.ts: node:http on port 0, built
 * from api-specs/supervision-feed.yaml: it checks the HMAC-SM3 signature over the raw body, validates the batch
 * against the contract, stores each idempotency key once, requires seq order without gaps and watches the audit head).
 * Times are injected: a backoff is passed by moving `now`, never by waiting.
 */

const KEY = 'feed-key-for-tests-0123456789abcdef'
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }

let t: TestDatabase
let receiver: FeedReceiver
let now: number

beforeEach(async () => {
  t = await createTestDatabase()
  receiver = await startFeedReceiver(KEY)
  now = Date.now()
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await receiver.stop()
  t.destroy()
})

const config = () => ({ url: receiver.url, key: KEY })
const sync = (opts: { at?: number; batchSize?: number } = {}) =>
  syncSupervisionFeed(t.db, { now: opts.at ?? now, config: config(), batchSize: opts.batchSize ?? 100, timeoutMs: 5_000 })

/** `n` usage events with lineage, on a seeded subscription, at `at`. */
async function addUsage(n: number, at = now - 60_000): Promise<string[]> {
  const [sub] = await t.db.select().from(subscriptions).where(eq(subscriptions.state, 'active')).limit(1)
  const rows = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    at: at + i,
    requestId: `req_${randomUUID().replace(/-/g, '')}`,
    apiKeyId: 'test-key',
    subscriptionId: sub!.id,
    partnerId: sub!.partnerId,
    productId: sub!.productId,
    purpose: sub!.purpose,
    operation: 'verifyEnterprise',
    status: 200,
    datasetCodes: 'DS-SCJG-0001,DS-SW-0001',
    sourceUnitCodes: 'scjg,tax',
    authorizationCodes: 'SQ-2026-0001',
    records: 1,
  }))
  for (let i = 0; i < rows.length; i += 500) await t.db.insert(usageEvents).values(rows.slice(i, i + 500))
  return rows.map((r) => r.id)
}

async function outboxKeys(): Promise<string[]> {
  const rows = await t.db
    .select({ key: supervisionFeedRecords.idempotencyKey })
    .from(supervisionFeedRecords)
    .orderBy(supervisionFeedRecords.seq)
  return rows.map((r) => r.key)
}

/** The receiver holds every record of the outbox exactly once, in seq order 1, 2, 3 … without a gap. */
async function expectCompleteAndOrdered() {
  const keys = await outboxKeys()
  expect(receiver.records.map((r) => r.seq)).toEqual(keys.map((_, i) => i + 1))
  expect(receiver.records.map((r) => r.idempotencyKey)).toEqual(keys)
  expect(new Set(receiver.records.map((r) => r.idempotencyKey)).size).toBe(keys.length)
}

describe('the supervision feed', () => {
  it('is off when unset: nothing is read, queued or sent, and "sync now" says so', async () => {
    await addUsage(5)
    // Unset (empty is unset): the environment leaves it off.
    vi.stubEnv('SUPERVISION_FEED_URL', '')
    vi.stubEnv('SUPERVISION_FEED_KEY', '')
    expect(await syncSupervisionFeed(t.db, { now })).toEqual({ enabled: false, enqueued: {}, delivery: null })
    expect(await syncSupervisionFeed(t.db, { now, config: null })).toMatchObject({ enabled: false })
    expect(await outboxKeys()).toEqual([])
    const refused = await requestSupervisionFeedSync(t.db, { actor: bureau, now })
    expect(refused).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'supervision_feed_off' } })
    const state = await getSupervisionFeedState(t.db, { now })
    expect(state).toMatchObject({ enabled: false, url: null, deliveredSeq: 0, lastQueuedSeq: 0 })
    // What would go once it is switched on: the retained logs from the beginning.
    expect(state.lag.notQueued).toBeGreaterThan(5)
    expect(receiver.attempts).toEqual([])
  })

  it('delivers every kind of log in order, signed, each record once, with lineage and the audit head', async () => {
    const ids = await addUsage(30)
    await t.db.insert(rejectedCalls).values({
      at: now - 50_000,
      requestId: 'req_rejected',
      apiKeyId: 'test-key',
      keyPrefix: 'sdp_test',
      operation: 'verifyEnterprise',
      status: 429,
      code: 'rate_limited',
      clientIp: '203.0.113.9',
    })
    const closedMinute = now - (now % 60_000) - 180_000
    const openMinute = now - (now % 60_000)
    await t.db.insert(rejectedCallBuckets).values([
      { minute: closedMinute, code: 'invalid_key', status: 401, addressPrefix: '198.51.100.0/24', count: 17 },
      { minute: openMinute, code: 'invalid_key', status: 401, addressPrefix: '198.51.100.0/24', count: 3 },
    ])
    const [dataset] = await t.db.select().from(datasets).limit(1)
    await t.db.insert(datasetLoads).values({
      datasetId: dataset!.id,
      mode: 'table',
      trigger: 'cli',
      actorLabel: 'cli',
      startedAt: now - 40_000,
      finishedAt: now - 39_000,
      state: 'succeeded',
      rowsTotal: 12,
      rowsLoaded: 12,
      checksum: 'a'.repeat(64),
    })
    const report = await sync()
    expect(report.enabled).toBe(true)
    expect(report.delivery).toMatchObject({ failed: false, lastError: null })
    for (const kind of ['usage_event', 'rejected_call', 'rejected_call_bucket', 'audit_entry', 'dataset_load'])
      expect(report.enqueued[kind] ?? 0, `${kind} in ${JSON.stringify(report.enqueued)}`).toBeGreaterThan(0)
    await expectCompleteAndOrdered()
    expect(receiver.attempts.every((a) => a.signatureOk && a.status === 200)).toBe(true)
    expect(receiver.duplicateKeys).toEqual([])
    expect(receiver.badAuditEntries).toEqual([])

    const usage = receiver.records.find((r) => r.idempotencyKey === `usage_event:${ids[0]}`)!
    expect(usage.kind).toBe('usage_event')
    expect(usage.payload).toMatchObject({
      id: ids[0],
      lineage: { datasets: ['DS-SCJG-0001', 'DS-SW-0001'], sourceUnits: ['scjg', 'tax'], authorizations: ['SQ-2026-0001'] },
      meters: { calls: 1, records: 1 },
      partner: { code: expect.any(String) },
      product: { code: expect.any(String) },
    })
    // Only the closed minute's bucket: the open one is still counting.
    const buckets = receiver.records.filter((r) => r.kind === 'rejected_call_bucket')
    expect(buckets.map((b) => b.payload.count)).toEqual([17])
    // The head the last batch carried is the chain's head as verifyAuditChain walks it.
    const chain = await verifyAuditChain(t.db)
    expect(chain.ok).toBe(true)
    const [head] = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.seq, chain.ok ? chain.lastSeq : -1))
    expect(receiver.heads.at(-1)).toEqual({ seq: head!.seq, hash: head!.hash })
    expect(receiver.attempts.at(-1)!.auditHead).toEqual({ seq: head!.seq, hash: head!.hash })

    const state = await getSupervisionFeedState(t.db, { now, config: config() })
    expect(state).toMatchObject({
      enabled: true,
      deliveredSeq: receiver.records.length,
      lastQueuedSeq: receiver.records.length,
      lastSuccessAt: now,
      consecutiveFailures: 0,
      lastError: null,
      nextAttemptAt: null,
      lag: { records: 0, queued: 0, notQueued: 0, oldestAgeMs: null },
    })
    expect(state.url).toBe(receiver.url)

    // A second run sends nothing new; new rows go next, after the others.
    expect((await sync()).delivery).toMatchObject({ batches: 0, delivered: 0 })
    const more = await addUsage(3)
    await sync()
    expect(receiver.records.slice(-3).map((r) => r.idempotencyKey)).toEqual(more.map((id) => `usage_event:${id}`))
    await expectCompleteAndOrdered()
  })

  it('loses nothing and keeps the order through an outage in the middle of a drain (503s, then cut connections)', async () => {
    await addUsage(450)
    // Two batches go through, then the exchange answers 503, and later cuts connections.
    receiver.script = ['ok', 'ok', 'unavailable']
    const first = await sync()
    expect(first.delivery).toMatchObject({ batches: 2, failed: true })
    expect(first.delivery!.lastError).toMatch(/503 unavailable/)
    let state = await getSupervisionFeedState(t.db, { now, config: config() })
    expect(state).toMatchObject({ deliveredSeq: 200, consecutiveFailures: 1, nextAttemptAt: now + 1_000 })
    expect(state.lag.queued).toBeGreaterThan(0)
    expect(state.lag.oldestAgeMs).toBeGreaterThan(0)

    // Inside the backoff nothing is sent.
    const attempts = receiver.attempts.length
    expect((await sync({ at: now + 500 })).delivery).toMatchObject({ batches: 0, deferredUntil: now + 1_000 })
    expect(receiver.attempts.length).toBe(attempts)

    receiver.mode = 'close'
    const second = await sync({ at: now + 1_000 })
    expect(second.delivery!.lastError).toMatch(/network/)
    state = await getSupervisionFeedState(t.db, { now: now + 1_000, config: config() })
    // 1 s, then 2 s: exponential.
    expect(state).toMatchObject({ deliveredSeq: 200, consecutiveFailures: 2, nextAttemptAt: now + 3_000 })
    receiver.mode = 'unavailable'
    await sync({ at: now + 3_000 })
    expect((await getSupervisionFeedState(t.db, { now: now + 3_000, config: config() })).nextAttemptAt).toBe(now + 7_000)

    receiver.mode = 'ok'
    const healed = await sync({ at: now + 7_000 })
    expect(healed.delivery).toMatchObject({ failed: false })
    await expectCompleteAndOrdered()
    // The failed batch was sent again as the same batch: same id, same records.
    const failedIds = receiver.attempts.filter((a) => a.status !== 200).map((a) => a.batchId)
    expect(new Set(failedIds)).toEqual(new Set([failedIds[0]]))
    const resent = receiver.attempts.find((a) => a.status === 200 && a.batchId === failedIds[0])!
    expect(resent.keys).toEqual(receiver.attempts.find((a) => a.batchId === failedIds[0])!.keys)
    state = await getSupervisionFeedState(t.db, { now: now + 7_000, config: config() })
    // All sent; only the recovery's own audit entry, written after the last batch, waits for the next run.
    expect(state).toMatchObject({ consecutiveFailures: 0, nextAttemptAt: null, lag: { queued: 0, notQueued: 1 } })
    expect(state.lastError).toMatch(/503 unavailable/)
    // The first failure and the recovery are in the audit log (not the attempts between them).
    const actions = (await t.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action)
    expect(actions.filter((a) => a === 'supervision_feed.delivery_failed')).toHaveLength(1)
    expect(actions.filter((a) => a === 'supervision_feed.delivery_recovered')).toHaveLength(1)
  })

  it('sends a batch whose answer was lost again with the same idempotency keys; the receiver counts them as duplicates', async () => {
    await addUsage(40)
    receiver.script = ['store_then_close']
    const lost = await sync({ batchSize: 1000 })
    expect(lost.delivery).toMatchObject({ failed: true, deliveredSeq: 0 })
    const stored = receiver.records.length
    expect(stored).toBeGreaterThan(40)
    await sync({ at: now + 1_000, batchSize: 1000 })
    const [firstAttempt, retry] = receiver.attempts
    expect(retry!.batchId).toBe(firstAttempt!.batchId)
    expect(retry!.keys).toEqual(firstAttempt!.keys)
    expect(receiver.duplicateKeys).toEqual(firstAttempt!.keys)
    // One record more: the audit entry of the failure itself, queued by the retrying run.
    expect(receiver.records.length).toBe(stored + 1)
    expect(receiver.records.at(-1)!.payload).toMatchObject({ action: 'supervision_feed.delivery_failed' })
    await expectCompleteAndOrdered()
    expect((await getSupervisionFeedState(t.db, { now: now + 1_000, config: config() })).recentBatches[0]).toMatchObject({
      id: firstAttempt!.batchId,
      state: 'delivered',
      attempts: 2,
    })
  })

  it('a batch altered in transit is refused by the receiver; the platform records the refusal and retries with a correct signature', async () => {
    await addUsage(10)
    // A proxy alters the body (one space: the same JSON, other bytes) and keeps the signature …
    receiver.tamper = (body, signature) => ({
      body: Buffer.from(body.toString('utf8').replace('"feedVersion":1', '"feedVersion": 1')),
      signature,
    })
    const altered = await sync()
    expect(receiver.attempts[0]).toMatchObject({ signatureOk: false, status: 401 })
    expect(altered.delivery!.lastError).toMatch(/401 bad_signature/)
    // … then forges a signature of its own over the body.
    receiver.tamper = (body) => ({ body, signature: `hmac-sm3=${'ab'.repeat(32)}` })
    await sync({ at: now + 60_000 })
    expect(receiver.attempts[1]).toMatchObject({ signatureOk: false, status: 401 })
    expect(receiver.records).toEqual([])
    const state = await getSupervisionFeedState(t.db, { now: now + 60_000, config: config() })
    // A refusal is not retried blindly at once: a minute, then two.
    expect(state).toMatchObject({ consecutiveFailures: 2, nextAttemptAt: now + 60_000 + 120_000, deliveredSeq: 0 })
    expect(state.lastError).toMatch(/bad_signature/)
    expect(state.lastError).not.toContain(KEY)

    receiver.tamper = null
    await sync({ at: now + 180_000 })
    expect(receiver.attempts.at(-1)).toMatchObject({ signatureOk: true, status: 200 })
    await expectCompleteAndOrdered()
  })

  it('a wrong key on the platform is refused the same way, and nothing is stored', async () => {
    const report = await syncSupervisionFeed(t.db, { now, config: { url: receiver.url, key: 'x'.repeat(40) }, timeoutMs: 5_000 })
    expect(report.delivery!.lastError).toMatch(/401 bad_signature/)
    expect(receiver.records).toEqual([])
  })

  it('makes a removal of the newest audit entries visible outside: the head seq goes backwards, a seq changes its hash', async () => {
    await sync()
    const headBefore = receiver.heads.at(-1)!
    expect(headBefore.seq).toBeGreaterThan(3)
    // Someone with the database file drops the append-only triggers and removes the last three entries …
    const triggers = await t.client.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
    for (const row of triggers.rows) await t.client.execute(`DROP TRIGGER "${String(row.name)}"`)
    await t.client.execute({ sql: 'DELETE FROM audit_log WHERE seq > ?', args: [headBefore.seq - 3] })
    // … and the platform writes on: one new entry takes a removed seq.
    await recordAudit(t.db, { actor: systemActor('test'), action: 'test.after_removal', objectType: 'test' })
    await addUsage(1)
    await sync({ at: now + 1_000 })
    const headAfter = receiver.attempts.at(-1)!.auditHead!
    expect(headAfter.seq).toBe(headBefore.seq - 2)
    expect(receiver.warnings).toContain('audit_head_regressed')
    expect(receiver.warnings).toContain('audit_hash_changed')
    // The new entry reached the exchange as a record of its own (another key: seq and hash), after the usage event.
    const rewritten = receiver.records.filter((r) => r.kind === 'audit_entry' && r.payload.seq === headBefore.seq - 2)
    expect(rewritten).toHaveLength(2)
    expect(rewritten[0]!.idempotencyKey).not.toBe(rewritten[1]!.idempotencyKey)
    await expectCompleteAndOrdered()
    // The platform shows the receiver's warning to the bureau.
    const state = await getSupervisionFeedState(t.db, { now: now + 1_000, config: config() })
    expect(state.lastWarning).toMatch(/audit_head_regressed/)
  })

  it('holds dataset loads back behind one still running, at most a day, and sends each once', async () => {
    const [dataset] = await t.db.select().from(datasets).limit(1)
    const load = (state: 'running' | 'succeeded', startedAt: number) => ({
      id: randomUUID(),
      datasetId: dataset!.id,
      mode: 'file' as const,
      trigger: 'manual' as const,
      actorLabel: 'test',
      startedAt,
      finishedAt: state === 'running' ? null : startedAt + 500,
      state,
      rowsTotal: 3,
      rowsLoaded: state === 'running' ? 0 : 3,
    })
    const running = load('running', now - 2_000)
    const later = load('succeeded', now - 1_000)
    await t.db.insert(datasetLoads).values([running, later])
    const keys = [`dataset_load:${running.id}`, `dataset_load:${later.id}`]
    await sync()
    // Its outcome is not known yet: it and every load after it wait.
    expect(receiver.records.filter((r) => keys.includes(r.idempotencyKey))).toEqual([])
    expect((await getSupervisionFeedState(t.db, { now, config: config() })).lag.notQueued).toBe(2)
    // A load still running a day later was abandoned: it goes as it is, and the ones behind it follow.
    const dayLater = now + 24 * 60 * 60_000
    await sync({ at: dayLater })
    const sent = receiver.records.filter((r) => keys.includes(r.idempotencyKey))
    expect(sent.map((r) => r.idempotencyKey)).toEqual(keys)
    expect(sent[0]!.payload).toMatchObject({ state: 'running', finishedAt: null, dataset: { code: dataset!.code } })
    expect(sent[1]!.payload).toMatchObject({ state: 'succeeded', rowsLoaded: 3 })
    await sync({ at: dayLater + 1_000 })
    expect(receiver.records.filter((r) => keys.includes(r.idempotencyKey))).toHaveLength(2)
    await expectCompleteAndOrdered()
  })

  it('re-sends from the seq the receiver names when it lost records (409 sequence_gap)', async () => {
    await addUsage(20)
    await sync()
    const delivered = receiver.records.length
    // The exchange restores an old backup: it lost the last 15 records.
    receiver.loseLast(15)
    await addUsage(2)
    await sync({ at: now + 1_000 })
    expect(receiver.attempts.some((a) => a.status === 409)).toBe(true)
    expect(receiver.records.length).toBe(delivered + 2)
    await expectCompleteAndOrdered()
    const actions = (await t.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action)
    expect(actions).toContain('supervision_feed.rewound')
  })

  it('runs only for the actors the table names; the job, the CLI and the bureau', async () => {
    await expect(
      syncSupervisionFeed(t.db, { now, config: config(), actor: { id: null, label: 'op', role: 'operator' } }),
    ).rejects.toBeInstanceOf(PermissionError)
    await expect(
      enqueueFeedRecords(t.db, { now, actor: { id: null, label: 'p', role: 'partner_api', partnerId: 'x' } }),
    ).rejects.toBeInstanceOf(PermissionError)
    const refused = await requestSupervisionFeedSync(t.db, {
      actor: { id: null, label: 'op', role: 'operator' },
      now,
      config: config(),
    })
    expect(refused).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    expect(receiver.attempts).toEqual([])
    const asked = await requestSupervisionFeedSync(t.db, { actor: bureau, now, config: config(), timeoutMs: 5_000 })
    expect(asked.ok).toBe(true)
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} = 'supervision_feed.sync_requested'`)
    expect(entry).toMatchObject({ actorLabel: 'bureau-test', role: 'bureau' })
    await expectCompleteAndOrdered()
  })
  it('CLI: supervision:status --json and supervision:sync, configured by the environment; the key is never printed', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    const off = await run('supervision:status', '--json')
    expect(off.code).toBe(0)
    expect(JSON.parse(off.out)).toMatchObject({ enabled: false, deliveredSeq: 0 })
    expect((await run('supervision:sync')).code).toBe(1)

    vi.stubEnv('SUPERVISION_FEED_URL', receiver.url)
    vi.stubEnv('SUPERVISION_FEED_KEY', KEY)
    try {
      const synced = await run('supervision:sync', '--json')
      expect(synced.code).toBe(0)
      const report = JSON.parse(synced.out)
      expect(report.delivery).toMatchObject({ failed: false })
      expect(report.state).toMatchObject({ enabled: true, consecutiveFailures: 0, lastError: null })
      const status = await run('supervision:status', '--json')
      const state = JSON.parse(status.out)
      expect(state).toMatchObject({ enabled: true, deliveredSeq: report.state.deliveredSeq, url: receiver.url })
      expect(Object.keys(state)).toEqual(
        expect.arrayContaining(['lag', 'deliveredSeq', 'lastSuccessAt', 'consecutiveFailures', 'lastError', 'nextAttemptAt']),
      )
      const human = await run('supervision:status')
      expect(human.out).toContain('last delivered seq')
      for (const text of [synced.out, status.out, human.out]) expect(text).not.toContain(KEY)
      await expectCompleteAndOrdered()
    } finally {
      vi.unstubAllEnvs()
    }
  })
  it("the state page's read: the bureau's is not audited, a third-party auditor's is; others are refused", async () => {
    const tail = async () => Number((await t.client.execute('SELECT max(seq) AS s FROM audit_log')).rows[0]!.s)
    const before = await tail()
    expect(await viewSupervisionFeedState(t.db, { actor: bureau, now, config: config() })).toMatchObject({
      ok: true,
      value: { enabled: true },
    })
    expect(await tail()).toBe(before)
    const auditor: Actor = { id: null, label: 'auditor-test', role: 'auditor' }
    expect((await viewSupervisionFeedState(t.db, { actor: auditor, now, config: config() })).ok).toBe(true)
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.seq, before + 1))
    expect(entry).toMatchObject({ action: 'supervision_feed.viewed', role: 'auditor', actorLabel: 'auditor-test' })
    const partner: Actor = { id: null, label: 'p', role: 'partner_admin', partnerId: 'x' }
    expect(await viewSupervisionFeedState(t.db, { actor: partner, now })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    })
  })
})
