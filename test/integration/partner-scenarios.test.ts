import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { and, desc, eq } from 'drizzle-orm'
import { auditLog, cityEnterprises, partners, plans, subscriptions, usageEvents } from '#db/schema/index.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { changeSubscriptionPlan } from '#partner-access/subscriptions/change-subscription-plan.ts'
import { cancelSubscription } from '#partner-access/subscriptions/cancel-subscription.ts'
import { listSubscriptions } from '#partner-access/subscriptions/list-subscriptions.ts'
import { endDueSubscriptions } from '#partner-access/subscriptions/end-due-subscriptions.ts'
import { createPlan } from '#partner-access/plans/create-plan.ts'
import { updatePlan } from '#partner-access/plans/update-plan.ts'
import { listPlanVersions } from '#partner-access/plans/list-plan-versions.ts'
import { previewBillingPeriod } from '#billing/invoices/preview-billing-period.ts'
import { periodOf } from '#billing/periods/billing-period.ts'
import { runCli } from '#cli/platform.ts'
import { HOUR_MS, startOfNextMonth } from '#platform/calendar/shanghai-calendar.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Scenarios and plans (ADR 0032): two subscriptions of one partner to one product under two scenarios, each with its
// own key, billed apart by purpose; plan changes from the next period or at once; cancel at the period's end;
// versioned plans.

const PATH = '/api/v1/verifications/enterprise'
const PRODUCT = 'verify-enterprise-identity'
const cli = cliActor()
const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }
const planInput = {
  nameZh: '测试',
  nameEn: 'Test',
  rateLimitPerMinute: 7,
  monthlyQuota: 500,
  distinctSubjectsPerDay: 50,
  maxActiveKeys: 2,
  allowsImmediateChange: false,
}

describe('scenarios and subscriptions', () => {
  let t: TestDatabase
  let server: Server | null = null
  let gateway: Gateway | null = null
  let baseUrl = ''
  let clock = Date.now()
  let partnerId: string
  let enterprise: { uscc: string; name: string }

  async function start() {
    gateway = createGateway({ db: t.db, now: () => clock })
    const g = gateway
    server = createServer((req, res) => g.handle(req, res))
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  beforeEach(async () => {
    t = await createTestDatabase()
    clock = Date.now()
    partnerId = (await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'shengjing-tech')))[0]!.id
    const [row] = await t.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    enterprise = row!
    await start()
  })
  afterEach(async () => {
    if (server) {
      server.closeAllConnections()
      await new Promise((r) => server!.close(r))
      server = null
    }
    if (gateway) await gateway.close()
    gateway = null
    t.destroy()
  })

  async function call(key: string) {
    const res = await fetch(baseUrl + PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(enterprise),
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code, limit: res.headers.get('ratelimit-limit') }
  }

  const industrialOf = async () =>
    (await listSubscriptions(t.db, { partnerId, state: 'active' })).find(
      (s) => s.productCode === PRODUCT && s.purpose === 'industrial',
    )!

  /** The second scenario: public interest to the product shengjing already uses commercially, approved by the bureau. */
  async function subscribePublicInterest() {
    const created = await createSubscription(t.db, {
      partner: { id: partnerId },
      productCode: PRODUCT,
      purpose: 'public_interest',
      statement: '社区养老服务机构准入时核验企业身份（公益服务场景）',
      scenario: '社区养老机构准入核验',
      expectedMonthlyVolume: 300,
      actor: cli,
    })
    if (!created.ok) throw new Error(created.error.code)
    expect(created.value).toMatchObject({ state: 'pending', scenario: '社区养老机构准入核验', expectedMonthlyVolume: 300 })
    const approved = await decideSubscription(t.db, { subscriptionId: created.value.id, decision: 'approve', actor: bureau })
    expect(approved.ok).toBe(true)
    return created.value.id
  }

  async function keyFor(subscriptionId: string) {
    const key = await createApiKey(t.db, { partnerId, name: 'scenario', subscriptionId, actor: cli })
    if (!key.ok) throw new Error(key.error.code)
    return key.value
  }

  it('serves two subscriptions to one product under two purposes, each key under its own, billed apart', async () => {
    const publicId = await subscribePublicInterest()
    const industrial = await industrialOf()
    expect(industrial.scenario).toBeTruthy()
    const publicKey = await keyFor(publicId)
    const industrialKey = await keyFor(industrial.id)
    expect(publicKey.subscriptionId).toBe(publicId)

    for (const key of [publicKey.key, publicKey.key, industrialKey.key, demoApiKey]) expect((await call(key)).status).toBe(200)
    await gateway!.close()
    const events = await t.db
      .select({ subscriptionId: usageEvents.subscriptionId, purpose: usageEvents.purpose, apiKeyId: usageEvents.apiKeyId })
      .from(usageEvents)
    expect(events.filter((e) => e.apiKeyId === publicKey.id)).toEqual([
      { subscriptionId: publicId, purpose: 'public_interest', apiKeyId: publicKey.id },
      { subscriptionId: publicId, purpose: 'public_interest', apiKeyId: publicKey.id },
    ])
    // The key bound to the industrial subscription, and the partner-wide demo key of before scenarios, run under it.
    expect(events.filter((e) => e.apiKeyId !== publicKey.id).map((e) => [e.subscriptionId, e.purpose])).toEqual([
      [industrial.id, 'industrial'],
      [industrial.id, 'industrial'],
    ])

    const preview = await previewBillingPeriod(t.db, { period: periodOf(clock).period, partnerId })
    if (!preview.ok) throw new Error(preview.error.code)
    const lines = preview.value.invoices.flatMap((i) => i.lines).filter((l) => l.product === PRODUCT && l.charge === 'call')
    const byPurpose = (p: string) => lines.filter((l) => l.purpose === p)
    expect(byPurpose('public_interest').reduce((n, l) => n + l.events, 0)).toBe(2)
    expect(byPurpose('public_interest').every((l) => l.amountFen === 0 && l.waivedFen > 0)).toBe(true)
    expect(byPurpose('industrial').reduce((n, l) => n + l.events, 0)).toBeGreaterThanOrEqual(2)
    expect(byPurpose('industrial').reduce((n, l) => n + l.amountFen, 0)).toBeGreaterThan(0)
  })

  it('refuses a second live subscription for the same purpose, and a key of another product’s subscription', async () => {
    const again = await createSubscription(t.db, {
      partner: { id: partnerId },
      productCode: PRODUCT,
      purpose: 'industrial',
      scenario: '另一个商业场景',
      actor: cli,
    })
    expect(!again.ok && again.error.code).toBe('already_subscribed')
    const other = (await listSubscriptions(t.db, { partnerId, state: 'active' })).find((s) => s.productCode !== PRODUCT)!
    const key = await keyFor(other.id)
    expect((await call(key.key)).code).toBe('not_subscribed')
    const bad = await createSubscription(t.db, {
      partner: { id: partnerId },
      productCode: PRODUCT,
      purpose: 'public_interest',
      statement: '社区养老服务机构准入时核验企业身份',
      scenario: 'x',
      expectedMonthlyVolume: -1,
      actor: cli,
    })
    expect(!bad.ok && bad.error.fields).toEqual({ scenario: 'length' })
  })

  it('changes plan from the next period, or at once where the plan allows it', async () => {
    const industrial = await industrialOf()
    const key = await keyFor(industrial.id)
    expect((await call(key.key)).limit).toBe('600')

    const trial = await changeSubscriptionPlan(t.db, { subscriptionId: industrial.id, planCode: 'trial', actor: cli, now: clock })
    if (!trial.ok) throw new Error(trial.error.code)
    expect(trial.value).toMatchObject({ isImmediate: false, effectiveAt: startOfNextMonth(clock) })
    const refusedNow = await changeSubscriptionPlan(t.db, {
      subscriptionId: industrial.id,
      planCode: 'trial',
      isImmediate: true,
      actor: cli,
      now: clock,
    })
    expect(!refusedNow.ok && refusedNow.error.code).toBe('immediate_change_not_allowed')
    // Still the standard plan this month; past the 500 ms cache, the next month runs on the trial plan.
    clock += 1_000
    expect((await call(key.key)).limit).toBe('600')
    clock = startOfNextMonth(clock) + HOUR_MS
    await new Promise((r) => setTimeout(r, 600))
    expect((await call(key.key)).limit).toBe('60')

    const enterprise = await changeSubscriptionPlan(t.db, {
      subscriptionId: industrial.id,
      planCode: 'enterprise',
      isImmediate: true,
      actor: cli,
      now: clock,
    })
    expect(enterprise.ok && enterprise.value.isImmediate).toBe(true)
    await new Promise((r) => setTimeout(r, 600))
    expect((await call(key.key)).limit).toBe('6000')
    const [row] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, industrial.id))
    expect([row!.planCode, row!.nextPlanCode]).toEqual(['enterprise', null])
    const [audit] = await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1)
    expect(audit).toMatchObject({ action: 'subscription.change_plan', objectId: industrial.id })
  })

  it('cancels at the end of the period: the key answers until then, not_subscribed after', async () => {
    const industrial = await industrialOf()
    const key = await keyFor(industrial.id)
    const cancelled = await cancelSubscription(t.db, { subscriptionId: industrial.id, actor: cli, now: clock })
    if (!cancelled.ok) throw new Error(cancelled.error.code)
    expect(cancelled.value).toEqual({ id: industrial.id, state: 'active', endsAt: startOfNextMonth(clock) })
    const twice = await cancelSubscription(t.db, { subscriptionId: industrial.id, actor: cli, now: clock })
    expect(!twice.ok && twice.error.code).toBe('subscription_cancelled')
    expect((await call(key.key)).status).toBe(200)
    clock = cancelled.value.endsAt
    await new Promise((r) => setTimeout(r, 600))
    expect((await call(key.key)).code).toBe('not_subscribed')
    expect((await call(demoApiKey)).code).toBe('not_subscribed')
    // After its end, the partner may subscribe again for the same purpose: the old one is marked ended then.
    const again = await createSubscription(t.db, {
      partner: { id: partnerId },
      productCode: PRODUCT,
      purpose: 'industrial',
      scenario: '重新订阅的商业场景',
      actor: cli,
      now: clock + 1,
    })
    expect(again.ok).toBe(true)
    const [old] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, industrial.id))
    expect(old!.state).toBe('ended')
  })

  it('the end-due job marks cancelled subscriptions ended at their end, not before, once; the CLI runs it too', async () => {
    const industrial = await industrialOf()
    const cancelled = await cancelSubscription(t.db, { subscriptionId: industrial.id, actor: cli, now: clock })
    if (!cancelled.ok) throw new Error(cancelled.error.code)
    const system: Actor = { id: null, label: 'subscription-job', role: 'system' }
    expect(await endDueSubscriptions(t.db, { actor: system, now: cancelled.value.endsAt - 1 })).toEqual({ ended: [] })
    expect((await t.db.select().from(subscriptions).where(eq(subscriptions.id, industrial.id)))[0]!.state).toBe('active')
    const [first, second] = await Promise.all([
      endDueSubscriptions(t.db, { actor: system, now: cancelled.value.endsAt }),
      endDueSubscriptions(t.db, { actor: system, now: cancelled.value.endsAt }),
    ])
    expect([...first!.ended, ...second!.ended]).toContain(industrial.id)
    const [row] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, industrial.id))
    expect(row).toMatchObject({ state: 'ended', endedAt: cancelled.value.endsAt })
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, 'subscription.end_due'))
    expect(audits.length).toBeGreaterThanOrEqual(1)
    // Partners and developers may not run it; the CLI may (and finds nothing left).
    expect(() =>
      endDueSubscriptions(t.db, { actor: { id: null, label: 'x', role: 'partner_admin', partnerId } }),
    ).rejects.toThrow()
    const out: string[] = []
    const code = await runCli(
      ['subscriptions:end-due', '--json'],
      { out: (l) => out.push(l), err: () => {} },
      { DATABASE_URL: `file:${t.path}` },
    )
    expect(code).toBe(0)
    expect(JSON.parse(out.join('\n'))).toEqual({ ended: [] })
  })

  it('versions plans: an unused one is edited in place, one in use only replaced by a new version', async () => {
    expect((await createPlan(t.db, { code: 'pilot', input: planInput, actor: cli })).ok).toBe(true)
    const dup = await createPlan(t.db, { code: 'pilot', input: planInput, actor: cli })
    expect(!dup.ok && dup.error.code).toBe('plan_exists')
    expect(
      (await updatePlan(t.db, { code: 'pilot', version: 1, input: { ...planInput, rateLimitPerMinute: 9 }, actor: cli })).ok,
    ).toBe(true)
    const sub = await industrialOf()
    expect((await changeSubscriptionPlan(t.db, { subscriptionId: sub.id, planCode: 'pilot', actor: cli })).ok).toBe(true)
    const inUse = await updatePlan(t.db, {
      code: 'pilot',
      version: 1,
      input: { ...planInput, rateLimitPerMinute: 1 },
      actor: cli,
    })
    expect(!inUse.ok && inUse.error.code).toBe('plan_in_use')
    const v2 = await createPlan(t.db, {
      code: 'pilot',
      input: { ...planInput, rateLimitPerMinute: 11 },
      isNewVersion: true,
      actor: cli,
    })
    expect(v2.ok && v2.value).toEqual({ code: 'pilot', version: 2 })
    const rows = await t.db.select().from(plans).where(eq(plans.code, 'pilot'))
    expect(rows.map((r) => [r.version, r.rateLimitPerMinute]).sort()).toEqual([
      [1, 9],
      [2, 11],
    ])
    // The subscription stays on version 1 (as its next plan) until a plan change moves it.
    const [row] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id))
    expect([row!.nextPlanCode, row!.nextPlanVersion]).toEqual(['pilot', 1])
    const listed = (await listPlanVersions(t.db)).filter((p) => p.code === 'pilot')
    expect(listed.map((p) => [p.version, p.isLatest, p.isInUse])).toEqual([
      [2, true, false],
      [1, false, true],
    ])
    const bad = await createPlan(t.db, { code: 'Bad Code', input: { ...planInput, rateLimitPerMinute: 0 }, actor: cli })
    expect(!bad.ok && bad.error.fields).toEqual({ code: 'invalid' })
    const badLimits = await createPlan(t.db, {
      code: 'bad-limits',
      input: { ...planInput, rateLimitPerMinute: 0, monthlyQuota: -1, maxActiveKeys: 1000 },
      actor: cli,
    })
    expect(!badLimits.ok && badLimits.error.fields).toEqual({
      rateLimitPerMinute: 'range',
      monthlyQuota: 'range',
      maxActiveKeys: 'range',
    })
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, 'plan')))
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['plan.create', 'plan.update', 'plan.create_version']))
  })

  it('CLI: subscribe with a scenario and volume, change plan, cancel, plans:create and plans:list', async () => {
    async function run(...argv: string[]) {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) }
    }
    const created = await run(
      'subscriptions:create',
      '--partner',
      'shengjing-tech',
      '--product',
      PRODUCT,
      '--purpose',
      'public_interest',
      '--statement',
      '社区养老服务机构准入时核验企业身份',
      '--scenario',
      '社区养老机构准入核验',
      '--volume',
      '300',
      '--json',
    )
    expect(created.code).toBe(0)
    expect(created.json()).toMatchObject({ state: 'pending', scenario: '社区养老机构准入核验', expectedMonthlyVolume: 300 })
    expect(
      (await run('subscriptions:create', '--partner', 'x', '--product', PRODUCT, '--purpose', 'industrial', '--volume', 'lots'))
        .code,
    ).toBe(2)

    const made = await run(
      'plans:create',
      'pilot',
      '--name-zh',
      '试点',
      '--name-en',
      'Pilot',
      '--rate-limit',
      '30',
      '--monthly-quota',
      'unlimited',
      '--immediate-change',
      '--json',
    )
    expect(made.code).toBe(0)
    expect(made.json()).toEqual({ code: 'pilot', version: 1 })
    expect((await run('plans:create', 'pilot2', '--name-zh', 'x', '--name-en', 'x', '--rate-limit', 'fast')).err).toContain(
      'rateLimitPerMinute: range',
    )
    const sub = await industrialOf()
    const changed = await run('subscriptions:change-plan', sub.id, '--plan', 'pilot', '--now', '--json')
    expect(changed.code).toBe(0)
    expect(changed.json()).toMatchObject({ planCode: 'pilot', planVersion: 1, isImmediate: true })
    const listed = (await run('plans:list', '--json')).json() as { code: string; version: number; subscriptions: number }[]
    expect(listed.find((p) => p.code === 'pilot')).toMatchObject({ version: 1, subscriptions: 1, monthlyQuota: null })
    expect(
      (await run('plans:update', 'pilot', '--version', '1', '--name-zh', 'x', '--name-en', 'x', '--rate-limit', '5')).err,
    ).toContain('plan_in_use')
    const cancelled = await run('subscriptions:cancel', sub.id, '--json')
    expect(cancelled.code).toBe(0)
    expect(cancelled.json()).toMatchObject({ id: sub.id, state: 'active', endsAt: expect.any(Number) })
  })
})
