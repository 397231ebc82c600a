import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, count, eq, inArray, sql } from 'drizzle-orm'
import {
  apiKeys,
  auditLog,
  authorizations,
  datasetLoads,
  datasets,
  demandItemTransitions,
  partners,
  products,
  rejectedCallBuckets,
  rejectedCalls,
  subscriptions,
  usageEvents,
} from '#db/schema/index.ts'
import { calendarYear, fromLocal, DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { errorText } from '#platform/error-text.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { LOG_TABLES } from '#supervision/retention/log-tables.ts'
import { deletableFrom, keepFrom } from '#supervision/retention/retention-horizon.ts'
import { purgeLogs } from '#supervision/retention/purge-logs.ts'
import { setRetentionPolicy } from '#supervision/retention/set-retention-policy.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { runCli } from '#cli/platform.ts'

// Art. 17 (ADR 0027): every log kept 6 calendar months (Asia/Shanghai) after the later of its event and the end of the
// agreement or authorization it concerns; no log row updated. The dates are three years back from the real clock, so
// that the retention clock (which may only be set to the past) can stand on either side of every boundary, whatever
// the date the tests run.

const retention = (e: unknown) => /log_retention/.test(errorText(e))
const Y = calendarYear(Date.now()) - 3
/** 31 March, 15:00: 6 months on is 30 September (clamped); deletable from 1 October. */
const EVENT = fromLocal(Y, 3, 31, 15)
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const cli: Actor = { id: null, label: 'cli-test', role: 'cli' }

describe('log retention (Art. 17, ADR 0027)', () => {
  let t: TestDatabase
  let fx: { partnerId: string; keyId: string; productId: string; datasetId: string }
  beforeEach(async () => {
    t = await createTestDatabase()
    const [partner] = await t.db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
    const [key] = await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partner!.id)).limit(1)
    // A product the partner holds no live industrial subscription to: the tests add their own (one live per purpose).
    const live = new Set(
      (await t.db.select().from(subscriptions).where(eq(subscriptions.partnerId, partner!.id)))
        .filter((s) => s.purpose === 'industrial' && (s.state === 'active' || s.state === 'pending'))
        .map((s) => s.productId),
    )
    const product = (await t.db.select().from(products)).find((p) => !live.has(p.id))
    const [dataset] = await t.db.select().from(datasets).limit(1)
    fx = { partnerId: partner!.id, keyId: key!.id, productId: product!.id, datasetId: dataset!.id }
  })
  afterEach(() => t.destroy())

  /** The instant the triggers take as now (only ever the past: the clock cannot run ahead of real time). */
  const setClock = (ms: number) => t.client.execute({ sql: 'INSERT OR REPLACE INTO retention_clock VALUES (1, ?)', args: [ms] })

  /** A subscription of its own for the test: ended at `endedAt`, or active (an agreement in force) when null. */
  async function subscription(endedAt: number | null): Promise<string> {
    const id = crypto.randomUUID()
    await t.db.insert(subscriptions).values({
      id,
      partnerId: fx.partnerId,
      productId: fx.productId,
      purpose: 'industrial',
      state: endedAt === null ? 'active' : 'ended',
      endedAt,
      createdAt: EVENT - 30 * DAY_MS,
    })
    return id
  }

  async function authorization(code: string, endedAt: number): Promise<void> {
    await t.db.insert(authorizations).values({
      code,
      datasetId: fx.datasetId,
      deliveryMode: 'file',
      startsAt: EVENT - 365 * DAY_MS,
      endsAt: fromLocal(Y + 2, 1, 1),
      state: 'terminated',
      endedAt,
    })
  }

  async function event(id: string, subscriptionId: string, opts: { at?: number; authorizationCodes?: string } = {}) {
    await t.db.insert(usageEvents).values({
      id,
      at: opts.at ?? EVENT,
      requestId: `req_${id}`,
      apiKeyId: fx.keyId,
      subscriptionId,
      partnerId: fx.partnerId,
      productId: fx.productId,
      purpose: 'industrial',
      operation: 'verifyEnterprise',
      status: 200,
      authorizationCodes: opts.authorizationCodes ?? '',
    })
  }

  const deleteEvent = (id: string) => t.db.delete(usageEvents).where(eq(usageEvents.id, id))
  const exists = async (id: string) => (await t.db.select().from(usageEvents).where(eq(usageEvents.id, id))).length === 1

  it('keeps an event of 31 March through 30 September: refused the day before the date, allowed on it', async () => {
    expect(deletableFrom(EVENT, 6)).toBe(fromLocal(Y, 10, 1))
    await event('e1', await subscription(EVENT - DAY_MS))
    await setClock(fromLocal(Y, 9, 30)) // one day before the date
    await expect(deleteEvent('e1')).rejects.toSatisfy(retention)
    await setClock(fromLocal(Y, 10, 1) - 1) // its last millisecond
    await expect(deleteEvent('e1')).rejects.toSatisfy(retention)
    expect(await exists('e1')).toBe(true)
    await setClock(fromLocal(Y, 10, 1)) // on the date
    await deleteEvent('e1')
    expect(await exists('e1')).toBe(false)
  })

  it('counts from the end of the agreement when it ends after the event', async () => {
    const end = fromLocal(Y, 5, 20, 9)
    await event('e1', await subscription(end))
    await setClock(fromLocal(Y, 11, 20))
    await expect(deleteEvent('e1')).rejects.toSatisfy(retention)
    await setClock(fromLocal(Y, 11, 21))
    await deleteEvent('e1')
  })

  it('keeps an event whose authorization ended later until 6 months after that end', async () => {
    const end = fromLocal(Y, 6, 15, 10)
    await authorization('RET-A-1', end)
    await authorization('RET-A-0', EVENT - DAY_MS)
    await event('e1', await subscription(EVENT), { authorizationCodes: 'RET-A-0,RET-A-1' })
    await setClock(fromLocal(Y, 10, 1)) // past the event's own date
    await expect(deleteEvent('e1')).rejects.toSatisfy(retention)
    await setClock(fromLocal(Y, 12, 15))
    await expect(deleteEvent('e1')).rejects.toSatisfy(retention)
    await setClock(fromLocal(Y, 12, 16))
    await deleteEvent('e1')
    expect(await exists('e1')).toBe(false)
  })

  it('never deletes the log of an agreement still in force, whatever its age', async () => {
    await event('open', await subscription(null))
    await expect(deleteEvent('open')).rejects.toSatisfy(retention)
    // A refusal of a key whose partner holds an open subscription concerns that agreement too.
    await t.db.insert(rejectedCalls).values({
      id: 'r-key',
      at: EVENT,
      requestId: 'req_r',
      apiKeyId: fx.keyId,
      operation: 'op',
      status: 403,
      code: 'not_subscribed',
    })
    await expect(t.db.delete(rejectedCalls).where(eq(rejectedCalls.id, 'r-key'))).rejects.toSatisfy(retention)
    // A refusal with no key concerns no agreement: its own time counts.
    await t.db
      .insert(rejectedCalls)
      .values({ id: 'r-anon', at: EVENT, requestId: 'req_a', operation: 'op', status: 401, code: 'invalid_key' })
    await setClock(fromLocal(Y, 9, 30))
    await expect(t.db.delete(rejectedCalls).where(eq(rejectedCalls.id, 'r-anon'))).rejects.toSatisfy(retention)
    await setClock(fromLocal(Y, 10, 1))
    await t.db.delete(rejectedCalls).where(eq(rejectedCalls.id, 'r-anon'))
  })

  it('keeps a load until 6 months after the end of its dataset’s authorizations', async () => {
    const end = fromLocal(Y, 8, 31, 12)
    await t.db.update(authorizations).set({ endsAt: end, endedAt: end }).where(eq(authorizations.datasetId, fx.datasetId))
    await t.db.insert(datasetLoads).values({
      id: 'load-1',
      datasetId: fx.datasetId,
      mode: 'file',
      trigger: 'manual',
      actorLabel: 't',
      startedAt: EVENT,
      finishedAt: EVENT + 1000,
      state: 'succeeded',
    })
    const del = () => t.db.delete(datasetLoads).where(eq(datasetLoads.id, 'load-1'))
    await setClock(fromLocal(Y + 1, 2, 28)) // 31 August + 6 months = 28 February (clamped): still kept that day
    await expect(del()).rejects.toSatisfy(retention)
    await setClock(fromLocal(Y + 1, 3, 1))
    await del()
  })

  it('refuses a hand-typed DELETE through the raw client, and the clock cannot be set ahead of real time', async () => {
    // Yesterday's event of an agreement that ended the day before: the real clock keeps it.
    await event('e1', await subscription(Date.now() - 2 * DAY_MS), { at: Date.now() - DAY_MS })
    const base = { datasetId: fx.datasetId, mode: 'file' as const, trigger: 'manual' as const, actorLabel: 't' }
    await t.db.insert(datasetLoads).values({ ...base, startedAt: Date.now() - DAY_MS, state: 'succeeded' })
    await expect(t.client.execute('DELETE FROM usage_events')).rejects.toSatisfy(retention)
    await expect(t.client.execute('DELETE FROM dataset_loads')).rejects.toSatisfy(retention)
    await expect(t.client.execute('DELETE FROM demand_item_transitions')).rejects.toSatisfy(retention)
    await expect(t.client.execute('DELETE FROM audit_log')).rejects.toSatisfy(retention)
    await expect(setClock(Date.now() + 60_000)).rejects.toSatisfy(retention)
    await expect(t.client.execute({ sql: 'INSERT INTO retention_clock VALUES (2, ?)', args: [EVENT] })).rejects.toSatisfy(
      retention,
    )
    expect(await exists('e1')).toBe(true)
  })

  it('computes the same horizon in SQL (the triggers) as in TypeScript (the purge), on any day', async () => {
    let seed = 7
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    const start = fromLocal(Y - 5, 1, 1)
    const instants = [fromLocal(Y, 10, 1), fromLocal(Y, 10, 1) - 1, fromLocal(Y, 8, 31, 23, 59), fromLocal(Y, 2, 28, 16)]
    for (let i = 0; i < 300; i++) instants.push(start + Math.floor(next() * (Date.now() - DAY_MS - start)))
    for (const now of instants) {
      await setClock(now)
      const [row] = (await t.client.execute('SELECT keep_from_ms AS k FROM log_retention_horizon')).rows
      expect(Number(row!.k), new Date(now).toISOString()).toBe(keepFrom(now, 6))
    }
  })

  it('refuses an INSERT OR REPLACE that would rewrite a kept log row (recursive triggers on)', async () => {
    await event('e1', await subscription(Date.now() - 2 * DAY_MS), { at: Date.now() - DAY_MS })
    const replace = t.client.execute({
      sql: `INSERT OR REPLACE INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation, status)
            SELECT id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation, 500 FROM usage_events WHERE id = 'e1'`,
    })
    await expect(replace).rejects.toSatisfy(retention)
    expect((await t.db.select().from(usageEvents).where(eq(usageEvents.id, 'e1')))[0]!.status).toBe(200)
    const minute = Date.now() - (Date.now() % 60_000)
    await t.db
      .insert(rejectedCallBuckets)
      .values({ minute, code: 'invalid_key', status: 401, addressPrefix: 'unknown', count: 9 })
    await expect(
      t.client.execute({
        sql: "INSERT OR REPLACE INTO rejected_call_buckets VALUES (?, 'invalid_key', 401, 'unknown', 1)",
        args: [minute],
      }),
    ).rejects.toSatisfy(retention)
  })

  it('has a BEFORE UPDATE and a BEFORE DELETE trigger that raise on every table of LOG_TABLES', async () => {
    const triggers = await t.client.execute("SELECT tbl_name AS t, sql FROM sqlite_master WHERE type = 'trigger'")
    const missing: string[] = []
    for (const { table } of LOG_TABLES) {
      const own = triggers.rows.filter((r) => r.t === table).map((r) => String(r.sql))
      const raises = (when: RegExp) => own.some((text) => when.test(text) && /RAISE\s*\(\s*ABORT/i.test(text))
      if (!raises(/BEFORE\s+UPDATE/i)) missing.push(`${table}: BEFORE UPDATE`)
      if (!raises(/BEFORE\s+DELETE/i)) missing.push(`${table}: BEFORE DELETE`)
    }
    expect(missing).toEqual([])
  })

  it('refuses an update of any row of every log table (a refusal bucket only counts up)', async () => {
    await event('e1', await subscription(EVENT))
    await t.db.insert(rejectedCalls).values({ at: EVENT, requestId: 'req_x', operation: 'op', status: 401, code: 'invalid_key' })
    await t.db
      .insert(rejectedCallBuckets)
      .values({ minute: EVENT - (EVENT % 60_000), code: 'invalid_key', status: 401, addressPrefix: 'unknown', count: 1 })
    await t.db
      .insert(datasetLoads)
      .values({ datasetId: fx.datasetId, mode: 'file', trigger: 'manual', actorLabel: 't', startedAt: EVENT, state: 'succeeded' })
    const updates: Record<string, string> = {
      audit_log: 'UPDATE audit_log SET detail = detail',
      usage_events: 'UPDATE usage_events SET status = 500',
      rejected_calls: 'UPDATE rejected_calls SET code = code',
      rejected_call_buckets: "UPDATE rejected_call_buckets SET code = 'x'",
      dataset_loads: "UPDATE dataset_loads SET state = 'failed'",
      demand_item_transitions: 'UPDATE demand_item_transitions SET comment = comment',
    }
    for (const [table, statement] of Object.entries(updates)) {
      const [row] = (await t.client.execute(`SELECT count(*) AS n FROM ${table}`)).rows
      expect(Number(row!.n), `${table} has a row to update`).toBeGreaterThan(0)
      await expect(t.client.execute(statement), table).rejects.toSatisfy(retention)
    }
    await expect(t.client.execute('UPDATE rejected_call_buckets SET count = count - 1')).rejects.toSatisfy(retention)
    // The recorder's upsert: the same bucket counted once more.
    await t.client.execute('UPDATE rejected_call_buckets SET count = count + 2')
    expect((await t.db.select().from(rejectedCallBuckets))[0]!.count).toBe(3)
  })

  describe('purge under the bureau’s policy', () => {
    async function threeEvents() {
      const ended = await subscription(EVENT)
      await event('old', ended, { at: EVENT })
      await event('newer', ended, { at: fromLocal(Y, 5, 10) })
      await event('open', await subscription(null), { at: EVENT })
    }
    const ids = async () =>
      (
        await t.db
          .select({ id: usageEvents.id })
          .from(usageEvents)
          .where(inArray(usageEvents.id, ['old', 'newer', 'open']))
      )
        .map((r) => r.id)
        .sort()

    it('deletes nothing without a policy (loads: none in the demo); refuses a policy under 6 months; unknown kinds', async () => {
      await threeEvents()
      expect(await purgeLogs(t.db, { kind: 'loads', actor: cli })).toMatchObject({
        ok: false,
        error: { code: 'no_retention_policy' },
      })
      expect(await purgeLogs(t.db, { kind: 'audit', actor: cli })).toMatchObject({
        ok: false,
        error: { code: 'unknown_log_kind' },
      })
      for (const keepMonths of [5, 0, -1, 6.5, Number.NaN, 10_000])
        expect((await setRetentionPolicy(t.db, { kind: 'usage', keepMonths, actor: bureau })).ok, String(keepMonths)).toBe(false)
      expect(await setRetentionPolicy(t.db, { kind: 'usage', keepMonths: 12, actor: cli })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect(await purgeLogs(t.db, { kind: 'usage', actor: { id: null, label: 'op', role: 'operator' } })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
      expect(await ids()).toEqual(['newer', 'old', 'open'])
    })

    it('honours the policy (12 months) and the legal minimum, audits each batch, never touches an open agreement', async () => {
      await threeEvents()
      expect((await setRetentionPolicy(t.db, { kind: 'usage', keepMonths: 12, actor: bureau, note: 'city rule' })).ok).toBe(true)
      // Legally deletable since 1 October, but the policy keeps it 12 months: through 31 March Y+1.
      const dry = await purgeLogs(t.db, { kind: 'usage', actor: cli, dryRun: true, now: fromLocal(Y + 1, 3, 31, 23) })
      expect(dry).toMatchObject({ ok: true, value: { rows: 0, keepMonths: 12, dryRun: true } })
      const onDate = fromLocal(Y + 1, 4, 1, 0, 30)
      expect(await purgeLogs(t.db, { kind: 'usage', actor: cli, dryRun: true, now: onDate })).toMatchObject({
        ok: true,
        value: { rows: 1 },
      })
      expect(await ids()).toEqual(['newer', 'old', 'open'])
      const auditBefore = (await t.db.select({ n: count() }).from(auditLog))[0]!.n
      const done = await purgeLogs(t.db, { kind: 'usage', actor: cli, now: onDate, batchSize: 1 })
      expect(done).toMatchObject({ ok: true, value: { rows: 1, purgeBefore: keepFrom(onDate, 12) } })
      expect(await ids()).toEqual(['newer', 'open'])
      const entries = await t.db
        .select()
        .from(auditLog)
        .where(and(sql`${auditLog.seq} > ${auditBefore}`))
      expect(entries.map((e) => e.action)).toEqual(['logs.purge', 'logs.purge.done'])
      // The clock was set and removed inside the purge's own transaction.
      expect((await t.client.execute('SELECT count(*) AS n FROM retention_clock')).rows[0]!.n).toBe(0)
      // A year later the newer one goes too; the open agreement's event stays.
      expect(await purgeLogs(t.db, { kind: 'usage', actor: cli, now: fromLocal(Y + 2, 1, 1) })).toMatchObject({
        ok: true,
        value: { rows: 1 },
      })
      expect(await ids()).toEqual(['open'])
    })

    it('cannot purge earlier than the real time allows, whatever `now` it is given', async () => {
      await event('recent', await subscription(Date.now() - 2 * DAY_MS), { at: Date.now() - DAY_MS })
      expect((await setRetentionPolicy(t.db, { kind: 'usage', keepMonths: 6, actor: bureau })).ok).toBe(true)
      const far = await purgeLogs(t.db, { kind: 'usage', actor: cli, now: Date.now() + 400 * DAY_MS })
      expect(far.ok).toBe(true)
      expect(await exists('recent')).toBe(true)
    })

    it('purges refusals and their anonymous buckets together', async () => {
      await t.db
        .insert(rejectedCalls)
        .values({ at: EVENT, requestId: 'req_a', operation: 'op', status: 401, code: 'invalid_key' })
      await t.db
        .insert(rejectedCallBuckets)
        .values({ minute: EVENT - (EVENT % 60_000), code: 'invalid_key', status: 401, addressPrefix: 'unknown', count: 4 })
      expect((await setRetentionPolicy(t.db, { kind: 'refusals', keepMonths: 6, actor: bureau })).ok).toBe(true)
      const result = await purgeLogs(t.db, { kind: 'refusals', actor: cli, now: fromLocal(Y, 10, 1) })
      expect(result.ok && result.value.tables).toEqual([
        { table: 'rejected_calls', rows: 1 },
        { table: 'rejected_call_buckets', rows: 1 },
      ])
    })
  })

  it('CLI: logs:retention and logs:purge --kind … [--dry-run] --json, refusing without a policy or a kind', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    expect((await run('logs:purge', '--json')).code).toBe(2)
    expect(await run('logs:purge', '--kind', 'loads', '--json')).toMatchObject({
      code: 1,
      err: expect.stringContaining('no_retention_policy'),
    })
    expect(await run('logs:purge', '--kind', 'audit', '--json')).toMatchObject({
      code: 1,
      err: expect.stringContaining('unknown_log_kind'),
    })
    await t.db.insert(rejectedCalls).values({ at: EVENT, requestId: 'req_a', operation: 'op', status: 401, code: 'invalid_key' })
    expect((await setRetentionPolicy(t.db, { kind: 'refusals', keepMonths: 7, actor: bureau })).ok).toBe(true)
    const listed = await run('logs:retention', '--json')
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.out)).toContainEqual(
      expect.objectContaining({ kind: 'refusals', policy: expect.objectContaining({ keepMonths: 7 }) }),
    )
    const dry = await run('logs:purge', '--kind', 'refusals', '--dry-run', '--json')
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.out)).toMatchObject({ kind: 'refusals', dryRun: true, rows: 1 })
    expect((await t.db.select({ n: count() }).from(rejectedCalls))[0]!.n).toBeGreaterThan(0)
    const done = await run('logs:purge', '--kind', 'refusals', '--json')
    expect(JSON.parse(done.out)).toMatchObject({ kind: 'refusals', dryRun: false, rows: 1 })
    const actions = await t.db
      .select({ action: auditLog.action, role: auditLog.role })
      .from(auditLog)
      .where(eq(auditLog.objectType, 'log_kind'))
    expect(actions).toEqual([{ action: 'logs.purge.done', role: 'cli' }])
  })

  it('the seeded demand transitions are kept while their authorizations run', async () => {
    const rows = await t.db.select({ id: demandItemTransitions.id }).from(demandItemTransitions).limit(1)
    expect(rows).toHaveLength(1)
    await expect(t.db.delete(demandItemTransitions).where(eq(demandItemTransitions.id, rows[0]!.id))).rejects.toSatisfy(retention)
  })
})
