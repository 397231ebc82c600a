import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '#cli/platform.ts'
import { eq, sql } from 'drizzle-orm'
import { lagoOutbox } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { Decimal } from '#billing/money/decimal.ts'
import { syncLagoOutbox } from '#billing/lago/sync-lago-outbox.ts'
import { getLagoOutboxState } from '#billing/lago/get-lago-outbox-state.ts'
import { reconcileLagoPeriod, type LagoUsageRow } from '#billing/lago/reconcile-lago-period.ts'
import { lagoPlanCode } from '#billing/lago/mirror-lago-objects.ts'
import { cancelSubscription } from '#partner-access/subscriptions/cancel-subscription.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { addPartner, addProduct, insertEvents, type ScenarioPartner } from '#test/support/billing-harness.ts'
import { server } from '#test/support/msw.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { lagoMock, type LagoEvent } from '#test/mocks/lago.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const M = nextPeriod(nextPeriod(periodOf(Date.now())))
const hour = 3_600_000

describe('Lago mirror through the outbox', () => {
  let t: TestDatabase
  let productId: string
  let industrial: ScenarioPartner
  let publicInterest: ScenarioPartner
  let mock: ReturnType<typeof lagoMock>

  beforeEach(async () => {
    t = await createTestDatabase()
    productId = await addProduct(t.db, 'lago-test', 'report')
    for (const [chargeUnit, maxUnitPrice] of [
      ['call', '5'],
      ['mb_exported', '200'],
    ] as const) {
      const r = await setPriceCeiling(t.db, {
        input: { productId, chargeUnit, maxUnitPrice, effectiveFrom: M.start },
        actor: bureau,
      })
      if (!r.ok) throw new Error(r.error.code)
    }
    const book = await proposePriceBook(t.db, {
      input: {
        productId,
        effectiveFrom: M.start,
        charges: [
          {
            chargeUnit: 'call',
            model: 'graduated',
            properties: {
              tiers: [
                { upTo: 100, unitPrice: '3' },
                { upTo: null, unitPrice: '2.5' },
              ],
            },
          },
          { chargeUnit: 'mb_exported', model: 'package', properties: { packageSize: 10, packagePrice: '1500', freeUnits: 0 } },
        ],
      },
      actor: operator,
    })
    if (!book.ok) throw new Error(JSON.stringify(book.error))
    const approved = await decidePriceBook(t.db, { priceBookId: book.value.id, decision: 'approve', actor: bureau })
    if (!approved.ok) throw new Error(approved.error.code)
    industrial = await addPartner(t.db, { productId, code: 'lago-industrial', purpose: 'industrial', subscribedAt: Date.now() })
    publicInterest = await addPartner(t.db, {
      productId,
      code: 'lago-public',
      purpose: 'public_interest',
      subscribedAt: Date.now(),
    })
    mock = lagoMock()
    server.use(...mock.handlers)
  })
  afterEach(() => t.destroy())

  /** 180 + 70 usage events in M; every fifth industrial one exported 1.5 MB. */
  async function usage() {
    const ats = (n: number, offset: number) => Array.from({ length: n }, (_, i) => M.start + offset + i * hour)
    const all = ats(180, 0)
    await insertEvents(
      t.db,
      industrial,
      all.filter((_, i) => i % 5 !== 0),
    )
    await insertEvents(
      t.db,
      industrial,
      all.filter((_, i) => i % 5 === 0),
      { exportBytes: 1_500_000 },
    )
    await insertEvents(t.db, publicInterest, ats(70, 1000))
  }
  const ourEvents = () =>
    [...mock.state.events.values()].filter((e) => (e.properties as { product_id?: string })?.product_id === productId)

  it('an outage ends with every event delivered exactly once, in batches of at most 100', async () => {
    await usage()
    const seeded = await t.db.all<{ n: number }>(
      sql`SELECT count(*) + sum(export_bytes > 0) + sum(records > 0) + sum(fields_masked > 0) AS n FROM usage_events`,
    )
    const expected = Number(seeded[0]!.n)

    // Lago is down (503 for a while, then network errors, then 429s): nothing is delivered, all stays pending.
    let now = M.end + hour
    mock.state.outage(20, 503)
    const first = await syncLagoOutbox(t.db, { now, config: mock.config })
    expect(first.enabled).toBe(true)
    expect(first.enqueued).toBeGreaterThanOrEqual(250)
    let state = await getLagoOutboxState(t.db, { now })
    expect(state.pending).toBe(expected)
    expect(state.delivered).toBe(0)

    mock.state.outage(12, 'network')
    const second = await syncLagoOutbox(t.db, { now: (now += 1000), config: mock.config })
    expect(second.delivery!.failed).toBeGreaterThan(0)
    state = await getLagoOutboxState(t.db, { now })
    expect(state.failing).toBeGreaterThan(0)
    expect(state.lastError).toMatch(/network/)
    expect(state.oldestPendingAgeMs).toBeGreaterThan(0)

    // Still within the backoff: a run sends nothing.
    const batchesBefore = mock.state.batchRequests
    await syncLagoOutbox(t.db, { now: now + 10, config: mock.config })
    expect(mock.state.batchRequests).toBe(batchesBefore)

    mock.state.outage(2, 429)
    let mirrorFailed = 1
    for (let i = 0; i < 30 && ((await getLagoOutboxState(t.db, { now })).pending > 0 || mirrorFailed > 0); i++) {
      mirrorFailed = (await syncLagoOutbox(t.db, { now: (now += 120_000), config: mock.config })).mirror!.failed
    }
    state = await getLagoOutboxState(t.db, { now })
    expect(state).toMatchObject({ pending: 0, failing: 0, delivered: expected, oldestPendingAgeMs: null })
    expect(mock.state.events.size).toBe(expected)
    expect(mock.state.accepted).toBe(expected)
    expect(mock.state.largestBatch).toBeLessThanOrEqual(100)
    expect(mock.state.unauthorized).toBe(0)

    // Every usage event's calls under its own id; exports as `<id>:mb_exported` with exact MB.
    const ids = await t.db.all<{ id: string; export_bytes: number; subscription_id: string }>(
      sql`SELECT id, export_bytes, subscription_id FROM usage_events WHERE product_id = ${productId}`,
    )
    for (const e of ids) {
      expect(mock.state.events.get(e.id)).toMatchObject({ code: 'sdp_call', external_subscription_id: e.subscription_id })
      if (e.export_bytes > 0) expect(mock.state.events.get(`${e.id}:mb_exported`)?.properties?.value).toBe('1.500000')
    }
    // Objects mirrored: metrics, the plans of the book (industrial and a zero public-interest one), customers, subscriptions.
    expect([...mock.state.billableMetrics.keys()].sort()).toEqual([
      'sdp_call',
      'sdp_compute_second',
      'sdp_masked_field',
      'sdp_mb_exported',
      'sdp_record',
    ])
    const plan = mock.state.plans.get(lagoPlanCode('lago-test', 1, 'industrial')) as {
      charges: { charge_model: string; properties: unknown }[]
    }
    expect(plan.charges.map((c) => c.charge_model).sort()).toEqual(['graduated', 'package'])
    expect(plan.charges.find((c) => c.charge_model === 'package')!.properties).toEqual({
      amount: '15',
      package_size: 10,
      free_units: 0,
    })
    expect(mock.state.plans.has(lagoPlanCode('lago-test', 1, 'public_interest'))).toBe(true)
    expect(mock.state.subscriptions.get(industrial.subscriptionId)).toMatchObject({
      external_customer_id: industrial.partnerId,
      plan_code: lagoPlanCode('lago-test', 1, 'industrial'),
    })

    // A run after everything is delivered sends nothing again.
    const accepted = mock.state.accepted
    await syncLagoOutbox(t.db, { now: now + 600_000, config: mock.config })
    expect(mock.state.accepted).toBe(accepted)
  })

  it('a cancelled subscription is terminated in Lago once its period has ended, not before, and only once', async () => {
    await usage()
    let now = M.end + hour
    await syncLagoOutbox(t.db, { now, config: mock.config })
    expect(mock.state.subscriptions.get(industrial.subscriptionId)).toMatchObject({ status: 'active' })
    const cancelled = await cancelSubscription(t.db, { subscriptionId: industrial.subscriptionId, actor: cliActor(), now })
    if (!cancelled.ok) throw new Error(cancelled.error.code)
    // Still running to the end of its period: Lago keeps billing it.
    await syncLagoOutbox(t.db, { now: (now += 1000), config: mock.config })
    expect(mock.state.subscriptions.get(industrial.subscriptionId)).toMatchObject({ status: 'active' })
    // Past its end: terminated; the public-interest one is untouched.
    now = cancelled.value.endsAt + 1000
    const report = await syncLagoOutbox(t.db, { now, config: mock.config })
    expect(report.mirror).toMatchObject({ failed: 0, lastError: null })
    expect(mock.state.subscriptions.get(industrial.subscriptionId)).toMatchObject({ status: 'terminated' })
    expect(mock.state.subscriptions.get(publicInterest.subscriptionId)).toMatchObject({ status: 'active' })
    // Once: a later run neither re-subscribes it nor terminates it again.
    const again = await syncLagoOutbox(t.db, { now: now + 600_000, config: mock.config })
    expect(again.mirror!.failed).toBe(0)
    expect(mock.state.subscriptions.get(industrial.subscriptionId)).toMatchObject({ status: 'terminated' })
  })

  it('a response lost after Lago stored the batch: the resend is refused as value_already_exist, counted delivered, the rest resent', async () => {
    await usage()
    const now = M.end + hour
    await syncLagoOutbox(t.db, { now, config: mock.config, drain: false })
    const rows = await t.db
      .select({ id: lagoOutbox.transactionId })
      .from(lagoOutbox)
      .where(eq(lagoOutbox.state, 'pending'))
      .orderBy(lagoOutbox.seq)
    // Lago already has every third of the first 150 (as if our commit after its answer was lost).
    for (const r of rows.slice(0, 150).filter((_, i) => i % 3 === 0)) {
      mock.state.events.set(r.id, { transaction_id: r.id, external_subscription_id: 'x', code: 'sdp_call' })
    }
    const before = mock.state.events.size
    const report = await syncLagoOutbox(t.db, { now, config: mock.config })
    expect(report.delivery!.duplicates).toBe(50)
    expect(report.delivery!.delivered).toBe(rows.length - 50)
    expect(report.delivery!.failed).toBe(0)
    expect(mock.state.events.size).toBe(before + rows.length - 50)
    expect((await getLagoOutboxState(t.db, { now })).pending).toBe(0)
  })

  it('a wrong API key is refused (Bearer header): nothing is lost, the events wait', async () => {
    await usage()
    const now = M.end + hour
    const report = await syncLagoOutbox(t.db, { now, config: { ...mock.config, apiKey: 'wrong' } })
    expect(report.delivery!.delivered).toBe(0)
    expect(mock.state.unauthorized).toBeGreaterThan(0)
    expect(mock.state.events.size).toBe(0)
    const state = await getLagoOutboxState(t.db, { now })
    expect(state.pending).toBeGreaterThan(0)
    expect(state.lastError).toMatch(/401/)
  })

  it('lago:sync drains the outbox now, and says so when Lago is not configured', async () => {
    await usage()
    const run = async () => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(
        ['lago:sync', '--json'],
        { out: (l) => out.push(l), err: (l) => err.push(l) },
        { DATABASE_URL: `file:${t.path}` },
      )
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    vi.stubEnv('LAGO_API_URL', '')
    vi.stubEnv('LAGO_API_KEY', '')
    const off = await run()
    expect(off.code).toBe(1)
    expect(off.err).toContain('LAGO_API_URL')
    vi.stubEnv('LAGO_API_URL', mock.config.apiUrl)
    vi.stubEnv('LAGO_API_KEY', mock.config.apiKey)
    try {
      const on = await run()
      expect(on.err).toBe('')
      expect(on.code).toBe(0)
      const report = JSON.parse(on.out) as { delivered: number; outbox: { pending: number; delivered: number } }
      expect(report.outbox.pending).toBe(0)
      expect(report.delivered).toBe(report.outbox.delivered)
      expect(mock.state.events.size).toBe(report.outbox.delivered)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('with Lago unset nothing is mirrored and nothing is queued', async () => {
    await usage()
    const report = await syncLagoOutbox(t.db, { now: M.end + hour, config: null })
    expect(report).toEqual({ enabled: false, enqueued: 0, mirror: null, delivery: null })
    expect((await getLagoOutboxState(t.db, { now: M.end })).pending).toBe(0)
  })

  it('reconciles the closed period: our invoice units per subscription and meter match what Lago received', async () => {
    await usage()
    const now = M.end + hour
    await syncLagoOutbox(t.db, { now, config: mock.config })
    const closed = await closeBillingPeriod(t.db, { period: M.period, actor: operator, now })
    expect(closed.ok).toBe(true)

    const lagoUsage = (events: LagoEvent[]): LagoUsageRow[] => {
      const rows = new Map<string, LagoUsageRow>()
      for (const e of events) {
        const at = Number(e.timestamp) * 1000
        if (at < M.start || at >= M.end) continue
        const key = `${e.external_subscription_id}:${e.code}`
        const r = rows.get(key) ?? { externalSubscriptionId: e.external_subscription_id, code: e.code, units: '0', events: 0 }
        r.units = new Decimal(r.units).plus(String(e.properties?.value ?? 0)).toFixed()
        r.events++
        rows.set(key, r)
      }
      return [...rows.values()]
    }
    const result = await reconcileLagoPeriod(t.db, { period: M.period, lagoUsage: lagoUsage(ourEvents()) })
    if (!result.ok) throw new Error(result.error.code)
    expect(result.value.mismatches).toBe(0)
    const calls = result.value.rows.find((r) => r.subscriptionId === industrial.subscriptionId && r.chargeUnit === 'call')!
    expect(calls).toMatchObject({ ourUnits: '180', lagoUnits: '180', billed: true, matches: true })
    // Hand-worked: 100 × 3 + 80 × 2.5 = 500 fen for calls; 36 exports × 1.5 MB = 54 MB → 6 blocks × 1500 = 9000 fen.
    expect(calls.amountFen).toBe(500)
    const mb = result.value.rows.find((r) => r.subscriptionId === industrial.subscriptionId && r.chargeUnit === 'mb_exported')!
    expect(mb).toMatchObject({ ourUnits: '54', lagoUnits: '54', amountFen: 9000, matches: true })
    const pi = result.value.rows.find((r) => r.subscriptionId === publicInterest.subscriptionId && r.chargeUnit === 'call')!
    expect(pi).toMatchObject({ ourUnits: '70', lagoUnits: '70', amountFen: 0, waivedFen: 210 })

    // A lost event shows up as a mismatch.
    const missing = ourEvents()
    missing.splice(
      missing.findIndex((e) => e.external_subscription_id === industrial.subscriptionId && e.code === 'sdp_call'),
      1,
    )
    const off = await reconcileLagoPeriod(t.db, { period: M.period, lagoUsage: lagoUsage(missing) })
    expect(off.ok && off.value.mismatches).toBe(1)
  })
})
