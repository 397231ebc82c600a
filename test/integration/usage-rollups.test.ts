import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { randomBytes } from 'node:crypto'
import { openDatabase } from '#db/client.ts'
import { partners, products, usageEvents } from '#db/schema/index.ts'
import { aggregateUsage, type UsageGroup } from '#billing/metering/aggregate-usage.ts'
import { rollUpAllUsage, rollUpUsage } from '#billing/metering/roll-up-usage.ts'
import { periodOf } from '#billing/periods/billing-period.ts'
import { countUsageFromEvents, countUsageFromRollups, summarizeUsage } from '#partner-access/usage/summarize-usage.ts'
import { UsageRecorder, type UsageEventRow } from '#gateway/metering/usage-recorder.ts'
import { HOUR_MS, addCalendarMonths, startOfMonth } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'

// Compact usage events and the rollups of the month in progress (issue 15, ADR 0047).

const NOW = Date.now()
const MONTH = periodOf(NOW)
const SUBS = ['sub-a', 'sub-b', 'sub-c'].map((id, i) => ({
  id,
  partnerId: i === 2 ? 'partner-2' : 'partner-1',
  productId: `product-${i}`,
  purpose: i === 1 ? ('public_interest' as const) : ('industrial' as const),
}))

let n = 0
function event(at: number, extra: Partial<UsageEventRow> = {}): UsageEventRow {
  const s = SUBS[n++ % SUBS.length]!
  const hex = randomBytes(16).toString('hex')
  return {
    id: hex,
    at,
    requestId: `req_${hex}`,
    apiKeyId: `key-${s.id}`,
    subscriptionId: s.id,
    partnerId: s.partnerId,
    productId: s.productId,
    purpose: s.purpose,
    operation: n % 4 === 0 ? 'verify' : 'query',
    status: n % 9 === 0 ? 206 : 200,
    datasetCodes: 'DS-1,DS-2',
    sourceUnitCodes: 'unit-1',
    authorizationCodes: 'SQ-1',
    subjectHash: n % 2 === 0 ? randomBytes(32).toString('hex') : null,
    calls: 1,
    records: n % 7,
    fieldsMasked: n % 3,
    bytesOut: 100 + (n % 50),
    computeMs: n % 5,
    exportBytes: n % 11 === 0 ? 2048 : 0,
    ...extra,
  }
}

describe('compact usage events and rollups (ADR 0047)', () => {
  let t: TestDatabase
  let recorder: UsageRecorder
  beforeAll(async () => {
    t = await createTestDatabase()
    recorder = new UsageRecorder(t.db)
  })
  afterAll(async () => {
    await recorder.close()
    t.destroy()
  })

  const raw = (partnerId?: string) => ({
    period: MONTH,
    previousWatermark: 0,
    lateHorizon: MONTH.start,
    // A price change in the middle of an hour: that window falls back to the events themselves.
    breakpoints: [MONTH.start, MONTH.start + 3 * 86_400_000 + 1_234_567, MONTH.end],
    partnerId,
  })
  const sorted = (groups: UsageGroup[]) =>
    [...groups].sort((a, b) =>
      `${a.subscriptionId}|${a.purpose}|${a.window}`.localeCompare(`${b.subscriptionId}|${b.purpose}|${b.window}`),
    )
  async function newestSeq(): Promise<number> {
    const [row] = await t.db.all<{ s: number }>(sql`SELECT coalesce(max(seq), 0) AS s FROM usage_event_log`)
    return Number(row!.s)
  }
  /** The estimate (rollups + tail) against the events alone, both up to the same watermark and late-event bound. */
  async function expectRollupsEqualEvents(previousWatermark = 0) {
    const watermark = await newestSeq()
    for (const partnerId of [undefined, 'partner-1']) {
      const opts = { ...raw(partnerId), watermark, previousWatermark }
      const fromEvents = sorted(await aggregateUsage(t.db, opts))
      const fromRollups = sorted(await aggregateUsage(t.db, { ...opts, rollups: true }))
      expect(fromRollups).toEqual(fromEvents)
      expect(fromEvents.reduce((s, g) => s + g.events, 0)).toBeGreaterThan(0)
    }
  }

  it('stores an event compactly and gives every column back as it was, through the gateway path and through the view', async () => {
    const viaRecorder = event(NOW - HOUR_MS)
    const viaView = event(NOW - HOUR_MS, { id: 'legacy-uuid-like-id', requestId: 'req-not-hex', subjectHash: 'not-a-hash' })
    await recorder.record(viaRecorder)
    await t.db.insert(usageEvents).values(viaView)
    for (const e of [viaRecorder, viaView]) {
      const [back] = await t.db
        .select()
        .from(usageEvents)
        .where(sql`${usageEvents.requestId} = ${e.requestId}`)
      expect(back).toEqual(e)
    }
    const [stored] = await t.db.all<{ k: string; l: string | null; s: string }>(
      sql`SELECT typeof(request_key) AS k, legacy_id AS l, typeof(subject) AS s FROM usage_event_log WHERE request_key = unhex(${viaRecorder.id})`,
    )
    // 16 and 32 bytes, no id stored twice.
    expect(stored).toEqual({ k: 'blob', l: null, s: viaRecorder.subjectHash ? 'blob' : 'null' })
    // The event id is unique: a second event with the same request id and id is refused.
    await expect(t.db.insert(usageEvents).values({ ...viaView })).rejects.toThrow()
    // Log rows and their dictionary are append-only.
    await expect(t.client.execute('UPDATE usage_event_log SET calls = 2')).rejects.toThrow(/append-only/)
    await t.client.execute("UPDATE usage_events SET status = 500 WHERE request_id = 'req-not-hex'").catch(() => undefined)
    const [after] = await t.db
      .select()
      .from(usageEvents)
      .where(sql`${usageEvents.requestId} = 'req-not-hex'`)
    expect(after!.status).toBe(viaView.status)
    await expect(t.client.execute('UPDATE usage_event_contexts SET status = 500')).rejects.toThrow(/never changed/)
  })

  it('rollup + tail equals the events: across the watermark, late events in hours already rolled up, and a restart', async () => {
    const hours = Math.max(1, Math.floor((NOW - MONTH.start) / HOUR_MS))
    const spread = (i: number) => MONTH.start + ((i * 7919) % hours) * HOUR_MS + (i % 3600) * 1000
    await Promise.all(Array.from({ length: 300 }, (_, i) => recorder.record(event(spread(i)))))
    await expectRollupsEqualEvents()
    // Part of the events rolled up: the watermark lies inside them.
    const first = await rollUpUsage(t.db, { now: NOW, batch: 120 })
    expect(first.to).toBeGreaterThan(first.from)
    expect(first.to).toBeLessThan(await newestSeq())
    await expectRollupsEqualEvents()
    await rollUpAllUsage(t.db, { now: NOW, batch: 50 })
    expect((await rollUpUsage(t.db, { now: NOW })).to).toBe(await newestSeq())
    await expectRollupsEqualEvents()
    // Late events: dated in hours already rolled up, and before the month (noted as late, counted above the watermark).
    const previousWatermark = await newestSeq()
    await Promise.all(Array.from({ length: 40 }, (_, i) => recorder.record(event(MONTH.start + (i % 5) * HOUR_MS + 17))))
    for (let i = 0; i < 6; i++) await t.db.insert(usageEvents).values(event(MONTH.start - (i + 1) * HOUR_MS))
    await expectRollupsEqualEvents(previousWatermark)
    await rollUpUsage(t.db, { now: NOW, batch: 10 })
    await expectRollupsEqualEvents(previousWatermark)
    // A restart: a new connection picks the watermark up from the database and counts nothing twice.
    const again = await openDatabase(`file:${t.path}`)
    try {
      const resumed = await rollUpAllUsage(again.db, { now: NOW, batch: 25 })
      expect(resumed.from).toBeGreaterThan(previousWatermark)
      expect(resumed.to).toBe(await newestSeq())
    } finally {
      again.close()
    }
    await expectRollupsEqualEvents(previousWatermark)
    const [late] = await t.db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM usage_late_events WHERE seq > ${previousWatermark}`,
    )
    expect(Number(late!.n)).toBe(6)
  })

  it("the usage pages' counts from rollups + tail equal the events': across the watermark, the window's first hour and late events", async () => {
    const somePartners = await t.db.select({ id: partners.id }).from(partners).limit(2)
    const someProducts = await t.db.select({ id: products.id }).from(products).limit(3)
    expect(somePartners.length).toBe(2)
    expect(someProducts.length).toBe(3)
    const since = NOW - 30 * 86_400_000
    let k = 0
    const at = (ms: number) =>
      event(ms, {
        partnerId: somePartners[k % 2]!.id,
        productId: someProducts[k++ % 3]!.id,
        subscriptionId: `sub-page-${k % 5}`,
      })
    const times = [
      since - 60_000, // before the window: never counted
      since, // the window's first instant, and its first, partial hour: from the events
      since + 1,
      since + 60_000,
      since + 2 * HOUR_MS + 5, // the first, partial day: hourly rollups
      ...Array.from({ length: 120 }, (_, i) => since + 86_400_000 + ((i * 7919) % (29 * 24)) * HOUR_MS + i * 1000),
      NOW + 3 * HOUR_MS, // ahead of now (the page has no upper bound)
    ]
    for (const ms of times) await recorder.record(at(ms))
    async function expectSameAsEvents() {
      for (const partnerId of [somePartners[0]!.id, undefined]) {
        const fromRollups = await countUsageFromRollups(t.db, { since, partnerId })
        expect(fromRollups).not.toBeNull()
        const fromEvents = await countUsageFromEvents(t.db, { since, partnerId })
        expect(fromRollups).toEqual(fromEvents)
        expect(fromEvents.totalCalls).toBeGreaterThan(0)
        expect(fromEvents.byProduct.length).toBeGreaterThan(1)
        expect(fromEvents.byStatus.length).toBe(2)
        const page = await summarizeUsage(t.db, { partnerId, now: NOW })
        expect({ ...page, ...fromEvents }).toEqual(page)
      }
    }
    // Partly rolled up: the watermark lies inside the window's events.
    const before = await newestSeq()
    await rollUpAllUsage(t.db, { now: NOW })
    await Promise.all(Array.from({ length: 30 }, (_, i) => recorder.record(at(NOW - (i % 10) * 86_400_000 - i))))
    const mid = await rollUpUsage(t.db, { now: NOW, batch: 12 })
    expect(mid.to).toBeGreaterThan(before)
    expect(mid.to).toBeLessThan(await newestSeq())
    await expectSameAsEvents()
    // Late events after the watermark: in hours and days already rolled up, in the first hour, before the window.
    for (const ms of [since + 30_000, since + 3 * HOUR_MS, since + 5 * 86_400_000, since - 1, NOW - HOUR_MS]) {
      await recorder.record(at(ms))
    }
    await expectSameAsEvents()
    await rollUpAllUsage(t.db, { now: NOW })
    await expectSameAsEvents()
  })

  it('hourly rollups equal the events per hour and context; two processes rolling up at once count each event once', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => recorder.record(event(NOW - (i % 48) * HOUR_MS))))
    const other = await openDatabase(`file:${t.path}`)
    try {
      await Promise.all([rollUpAllUsage(t.db, { now: NOW, batch: 30 }), rollUpAllUsage(other.db, { now: NOW, batch: 30 })])
    } finally {
      other.close()
    }
    const keepFrom = addCalendarMonths(startOfMonth(NOW), -1)
    const diff = await t.db.all(sql`
      SELECT hour, ctx, sum(events) AS events, sum(records) AS records, sum(bytes_out) AS bytes FROM (
        SELECT hour, ctx, events, records, bytes_out FROM usage_hourly_rollups
        UNION ALL
        SELECT at - ((at - ${keepFrom}) % ${HOUR_MS}) AS hour, ctx, -count(*), -sum(records), -sum(bytes_out)
        FROM usage_event_log WHERE at >= ${keepFrom} GROUP BY 1, 2
      ) GROUP BY hour, ctx HAVING sum(events) != 0 OR sum(records) != 0 OR sum(bytes_out) != 0`)
    expect(diff).toEqual([])
    const [days] = await t.db.all<{ d: number; h: number }>(
      sql`SELECT (SELECT sum(events) FROM usage_daily_rollups) AS d, (SELECT sum(events) FROM usage_hourly_rollups) AS h`,
    )
    expect(Number(days!.d)).toBe(Number(days!.h))
  })

  it('refuses a batch that is not a positive whole number', async () => {
    await expect(rollUpUsage(t.db, { now: NOW, batch: 0 })).rejects.toThrow(/batch/)
    await expect(rollUpUsage(t.db, { now: NOW, batch: 1.5 })).rejects.toThrow(/batch/)
  })
})
