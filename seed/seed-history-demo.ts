// A year of demo history (issue 16): partners of each kind calling over the last twelve months with weekly and seasonal
// patterns, every ended month closed through the real billing close, invoices finalized and mostly paid (some due, one
// overdue, one credited), compensation statements, and cost entries whose volumes make real unit costs.
//
// Deterministic: every number comes from one seeded generator (the city's sfc32, source-systems/simulated/random.ts)
// and a controlled `now`; two first starts on the same day give the same history. State changes go through the domain
// operations (audited), each with the `now` of its historical step; only the usage events are written in bulk, with
// the columns the gateway writes (gateway/create-gateway.ts), as an HTTP call would cost ~1 ms each.

import { and, asc, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm'
import type { Client, InStatement, InValue } from '@libsql/client'
import type { Db } from '#db/client.ts'
import {
  billingCloses,
  datasets,
  invoices,
  partners,
  productDatasets,
  products,
  sourceUnits,
  subscriptions,
  usageEvents,
  users,
  authorizations,
} from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { DAY_MS, HOUR_MS, localParts, startOfDay } from '#platform/calendar/shanghai-calendar.ts'
import { nextPeriod, parsePeriod, periodOf, previousPeriod, type BillingPeriod } from '#billing/periods/billing-period.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { finalizeInvoice } from '#billing/invoices/finalize-invoice.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { issueCreditNote } from '#billing/invoices/issue-credit-note.ts'
import { recordCostEntry } from '#billing/costs/record-cost-entry.ts'
import { computeCompensationStatements } from '#billing/compensation/compute-compensation-statements.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { cancelSubscription } from '#partner-access/subscriptions/cancel-subscription.ts'
import { endDueSubscriptions } from '#partner-access/subscriptions/end-due-subscriptions.ts'
import { createApiKeyForSubscription } from '#partner-access/keys/create-api-key-for-subscription.ts'
import { createRng, type Rng } from '#source-systems/simulated/random.ts'
import { acceptDemoAgreements } from './seed-agreements-demo.ts'

export const HISTORY_MONTHS = 12
export const HISTORY_SEED = 'shenyang-demo-history-v1'

export interface HistoryOptions {
  /** The instant the history ends at (default: now). */
  now?: number
  /** Answered calls over the whole history, roughly (default 30,000, to keep the first start short: docs/BENCHMARKS.md; the tests use a few thousand). */
  events?: number
  seed?: string
  log?: (line: string) => void
}

/** The start of the first month of the history: HISTORY_MONTHS whole months before `now`'s month. */
export function historyStartOf(now: number): number {
  let p = periodOf(now)
  for (let i = 0; i < HISTORY_MONTHS; i++) p = previousPeriod(p)
  return p.start
}

type PartnerKind = 'legal_person' | 'unincorporated_org' | 'natural_person'

/** The history's own partners, besides the three the platform seed registers. */
export const HISTORY_PARTNERS: { code: string; name: string; kind: PartnerKind; usccDivision: string | null }[] = [
  { code: 'beifang-credit', name: '沈阳北方征信服务有限公司', kind: 'legal_person', usccDivision: '210102' },
  { code: 'hunhe-logistics', name: '沈阳浑河物流有限公司', kind: 'legal_person', usccDivision: '210106' },
  { code: 'dongling-microcredit', name: '沈阳东陵普惠小额贷款有限公司', kind: 'legal_person', usccDivision: '210104' },
  { code: 'laoling-association', name: '沈阳市老龄事业发展协会', kind: 'unincorporated_org', usccDivision: '210103' },
  { code: 'youth-volunteers', name: '沈阳市青年志愿者协会', kind: 'unincorporated_org', usccDivision: '210105' },
  { code: 'li-na', name: '李娜', kind: 'natural_person', usccDivision: null },
  { code: 'wang-lei', name: '王磊', kind: 'natural_person', usccDivision: null },
]

/** The product shengjing-tech (partner.admin's) stopped using during the year: it can subscribe to it again. */
export const HISTORY_ENDED_PRODUCT = 'district-economy-report'

interface PlannedSubscription {
  partner: string
  product: string
  purpose: 'industrial' | 'public_interest'
  /** Month of the history it starts in (0 = the first). */
  fromMonth: number
  /** Weekday calls at the start of the history, relative to the others (scaled to the wanted total). */
  weight: number
  scenario: string
  statement?: string
  /** Left pending, for the bureau's queue. */
  pending?: boolean
  planCode?: string
}

const PLANNED: PlannedSubscription[] = [
  {
    partner: 'huimin-service',
    product: 'address-standardize',
    purpose: 'public_interest',
    fromMonth: 1,
    weight: 4,
    scenario: '社区养老服务地址核对',
    statement: '为社区居家养老服务对象核对、规范上门服务地址，服务免费提供。',
  },
  {
    partner: 'zhang-wei',
    product: 'uscc-validate',
    purpose: 'industrial',
    fromMonth: 2,
    weight: 1.5,
    scenario: '个人开发的企业信息查询小程序',
    planCode: 'trial',
  },
  {
    partner: 'beifang-credit',
    product: 'verify-enterprise-identity',
    purpose: 'industrial',
    fromMonth: 0,
    weight: 30,
    scenario: '征信报告采集前的企业身份核验',
  },
  {
    partner: 'beifang-credit',
    product: 'enterprise-credit-profile',
    purpose: 'industrial',
    fromMonth: 0,
    weight: 12,
    scenario: '企业信用报告中的纳税信用等级核验',
  },
  {
    partner: 'beifang-credit',
    product: 'enterprise-credit-score',
    purpose: 'industrial',
    fromMonth: 2,
    weight: 6,
    scenario: '小微企业信用评分',
  },
  {
    partner: 'hunhe-logistics',
    product: 'road-traffic-flow',
    purpose: 'industrial',
    fromMonth: 3,
    weight: 10,
    scenario: '城配车辆路径规划',
  },
  {
    partner: 'hunhe-logistics',
    product: 'address-standardize',
    purpose: 'industrial',
    fromMonth: 3,
    weight: 8,
    scenario: '收货地址标准化',
  },
  {
    partner: 'dongling-microcredit',
    product: 'verify-enterprise-identity',
    purpose: 'industrial',
    fromMonth: 5,
    weight: 14,
    scenario: '贷前企业身份核验',
  },
  {
    partner: 'dongling-microcredit',
    product: 'verify-legal-representative',
    purpose: 'industrial',
    fromMonth: 5,
    weight: 9,
    scenario: '贷前法定代表人核验',
  },
  {
    partner: 'laoling-association',
    product: 'aggregate-query',
    purpose: 'public_interest',
    fromMonth: 2,
    weight: 2,
    scenario: '区县老年人医疗服务统计',
    statement: '统计各区县老年人门急诊与住院情况，用于养老服务设施规划建议，不收费。',
  },
  {
    partner: 'youth-volunteers',
    product: 'road-traffic-flow',
    purpose: 'public_interest',
    fromMonth: 4,
    weight: 2.5,
    scenario: '志愿服务站点交通疏导',
    statement: '在大型活动期间为交通疏导志愿者提供路段拥堵情况，服务公众出行。',
  },
  {
    partner: 'youth-volunteers',
    product: 'address-standardize',
    purpose: 'public_interest',
    fromMonth: 11,
    weight: 0,
    pending: true,
    scenario: '志愿者服务对象地址核对',
    statement: '核对困难群众帮扶对象的居住地址，便于志愿者上门服务，不收费。',
  },
  {
    partner: 'beifang-credit',
    product: 'district-economy-report',
    purpose: 'industrial',
    fromMonth: 6,
    weight: 1.5,
    scenario: '区县经济运行季度研判报告',
  },
  {
    partner: 'li-na',
    product: 'data-sandbox',
    purpose: 'industrial',
    fromMonth: 6,
    weight: 1,
    scenario: '区域经济研究（沙箱分析）',
  },
  {
    partner: 'wang-lei',
    product: 'uscc-validate',
    purpose: 'industrial',
    fromMonth: 1,
    weight: 2,
    scenario: '财务软件中的信用代码校验',
  },
  {
    partner: 'wang-lei',
    product: 'address-standardize',
    purpose: 'industrial',
    fromMonth: 1,
    weight: 1.5,
    scenario: '财务软件中的地址规范化',
  },
]

/** shengjing-tech's existing (seeded) subscriptions: how much each is used. */
const SHENGJING_WEIGHTS: Record<string, number> = {
  'verify-enterprise-identity': 40,
  'verify-legal-representative': 15,
  'enterprise-credit-profile': 10,
  'road-traffic-flow': 5,
  'enterprise-credit-score': 6,
  'aggregate-query': 3,
  'address-standardize': 8,
  'uscc-validate': 12,
  'district-economy-report': 0.6,
  'data-sandbox': 0.8,
}

/** What one answered call of each product meters (gateway/products/*). */
interface Meter {
  operation: string
  records: (rng: Rng) => number
  fieldsMasked: (rng: Rng) => number
  bytesOut: (rng: Rng) => number
  computeMs: (rng: Rng) => number
  exportBytes: (rng: Rng) => number
}
const zero = () => 0
const METERS: Record<string, Meter> = {
  'verify-enterprise-identity': {
    operation: 'verifyEnterprise',
    records: () => 1,
    fieldsMasked: zero,
    bytesOut: (r) => r.int(90, 140),
    computeMs: (r) => r.int(2, 20),
    exportBytes: zero,
  },
  'verify-legal-representative': {
    operation: 'verifyLegalRepresentative',
    records: () => 1,
    fieldsMasked: () => 2,
    bytesOut: (r) => r.int(90, 150),
    computeMs: (r) => r.int(3, 25),
    exportBytes: zero,
  },
  'enterprise-credit-profile': {
    operation: 'getEnterpriseCreditProfile',
    records: (r) => r.int(1, 4),
    fieldsMasked: (r) => r.int(1, 3),
    bytesOut: (r) => r.int(400, 1400),
    computeMs: (r) => r.int(5, 40),
    exportBytes: zero,
  },
  'road-traffic-flow': {
    operation: 'getTrafficFlow',
    records: (r) => r.int(12, 48),
    fieldsMasked: zero,
    bytesOut: (r) => r.int(1500, 6000),
    computeMs: (r) => r.int(4, 30),
    exportBytes: zero,
  },
  'enterprise-credit-score': {
    operation: 'scoreEnterpriseCredit',
    records: () => 1,
    fieldsMasked: () => 1,
    bytesOut: (r) => r.int(150, 260),
    computeMs: (r) => r.int(20, 120),
    exportBytes: zero,
  },
  'aggregate-query': {
    operation: 'queryAggregate',
    records: (r) => r.int(5, 120),
    fieldsMasked: zero,
    bytesOut: (r) => r.int(600, 9000),
    computeMs: (r) => r.int(30, 400),
    exportBytes: zero,
  },
  'address-standardize': {
    operation: 'standardizeAddress',
    records: () => 1,
    fieldsMasked: zero,
    bytesOut: (r) => r.int(150, 300),
    computeMs: (r) => r.int(1, 8),
    exportBytes: zero,
  },
  'uscc-validate': {
    operation: 'validateUscc',
    records: () => 1,
    fieldsMasked: zero,
    bytesOut: (r) => r.int(60, 90),
    computeMs: () => 1,
    exportBytes: zero,
  },
  'district-economy-report': {
    operation: 'downloadDistrictEconomyExport',
    records: (r) => r.int(13, 40),
    fieldsMasked: zero,
    bytesOut: (r) => r.int(300_000, 2_400_000),
    computeMs: (r) => r.int(200, 2000),
    exportBytes: (r) => r.int(300_000, 2_400_000),
  },
  'data-sandbox': {
    operation: 'createSandboxJob',
    records: (r) => r.int(100, 5000),
    fieldsMasked: zero,
    bytesOut: (r) => r.int(800, 20_000),
    computeMs: (r) => r.int(1500, 45_000),
    exportBytes: zero,
  },
}

/** Month of the year (1–12) → how busy: the Spring Festival (Feb), summer and the National Day week are quieter. */
const SEASON = [0, 1.0, 0.68, 1.05, 1.0, 0.95, 1.05, 0.9, 0.86, 1.06, 0.84, 1.1, 1.2]
/** Day of the week (0 = Sunday) → how busy. */
const WEEKDAY = [0.22, 1.0, 1.06, 1.05, 1.0, 0.93, 0.3]
/** Hour of the day → how busy (office hours, a lunch dip, a little at night from batch jobs). */
const HOURS = [1, 0.6, 0.4, 0.4, 0.4, 0.6, 1.5, 3, 7, 11, 12, 11, 6, 9, 11, 11, 10, 8, 4, 3, 2.5, 2, 1.6, 1.2]
const HOUR_TOTAL = HOURS.reduce((a, b) => a + b, 0)

function pickHour(rng: Rng): number {
  let x = rng.next() * HOUR_TOTAL
  for (let h = 0; h < 24; h++) {
    x -= HOURS[h]!
    if (x < 0) return h
  }
  return 23
}

const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** A ULID like the gateway's (gateway/metering/time-ordered-ids.ts), its random part drawn from the seeded generator. */
function eventId(at: number, rng: Rng): string {
  let id = ''
  let t = at
  for (let i = 0; i < 10; i++) {
    id = BASE32[t % 32]! + id
    t = Math.floor(t / 32)
  }
  return id + rng.chars(BASE32, 16)
}
function requestId(at: number, rng: Rng): string {
  return `req_${at.toString(16).padStart(12, '0')}${rng.chars('0123456789abcdef', 20)}`
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }, what: string): T {
  if (!result.ok) throw new Error(`seed history (${what}): ${result.error.code} ${result.error.message}`)
  return result.value
}

interface LiveSubscription {
  id: string
  partnerId: string
  productId: string
  productCode: string
  purpose: 'industrial' | 'public_interest'
  apiKeyId: string
  from: number
  until: number
  weight: number
}

export interface HistorySummary {
  partners: number
  subscriptions: number
  events: number
  closedPeriods: string[]
  ms: number
}

/**
 * Seeds the year of history, once: skipped when the history's partners exist. Runs after seedPlatform's other demo
 * seeds with prices in force from the history's start (seedBillingDemo's `pricesFrom`).
 */
export async function seedHistoryDemo(db: Db, opts: HistoryOptions = {}): Promise<HistorySummary | null> {
  const began = Date.now()
  const now = opts.now ?? Date.now()
  const log = opts.log ?? (() => undefined)
  const rng = createRng(opts.seed ?? HISTORY_SEED)
  const wanted = opts.events ?? 30_000
  const [already] = await db.select({ id: partners.id }).from(partners).where(eq(partners.code, HISTORY_PARTNERS[0]!.code))
  if (already) return null

  const start = historyStartOf(now)
  const firstPeriod = periodOf(start)
  const monthStart = (m: number) => {
    let p = firstPeriod
    for (let i = 0; i < m; i++) p = nextPeriod(p)
    return p.start
  }
  const person = async (username: string): Promise<Actor> => {
    const [u] = await db.select().from(users).where(eq(users.username, username))
    return u ? userActor(u) : systemActor('seed')
  }
  const operator = await person('operator')
  const bureau = await person('bureau')
  const partnerAdmin = await person('partner.admin')

  // 1. The history's partners, registered like the platform seed's (audited), their agreements accepted at the start.
  for (const [index, p] of HISTORY_PARTNERS.entries()) {
    const id = crypto.randomUUID()
    const uscc = p.usccDivision
      ? makeUscc({
          registrationAuthority: p.kind === 'legal_person' ? '9' : '5',
          orgType: '1',
          divisionCode: p.usccDivision,
          orgCodeBody8: `MA0H${String(index + 1).padStart(4, '0')}`,
        })
      : null
    await recordAudit(
      db,
      { actor: systemActor('seed'), action: 'partner.register', objectType: 'partner', objectId: id, detail: { code: p.code } },
      [db.insert(partners).values({ id, code: p.code, name: p.name, kind: p.kind, uscc, createdAt: start })],
    )
  }
  const partnerRows = await db.select({ id: partners.id, code: partners.code }).from(partners)
  const partnerId = new Map(partnerRows.map((p) => [p.code, p.id]))
  for (const p of partnerRows) await acceptDemoAgreements(db, p.id, start)
  const standIn = (code: string): Actor =>
    code === 'shengjing-tech' && partnerAdmin.partnerId
      ? partnerAdmin
      : { id: null, label: `seed:${code}`, role: 'partner_admin', partnerId: partnerId.get(code)! }

  const productRows = await db.select({ id: products.id, code: products.code }).from(products)
  const productId = new Map(productRows.map((p) => [p.code, p.id]))
  const live: LiveSubscription[] = []
  const keyFor = async (subscriptionId: string, partner: string, product: string) =>
    must(
      await createApiKeyForSubscription(db, { subscriptionId, name: `${product} 生产密钥`, actor: standIn(partner) }),
      `key ${partner} ${product}`,
    ).id

  // 2. shengjing-tech (partner.admin's): its seeded subscriptions date from the history's start; one ends during it.
  const shengjingId = partnerId.get('shengjing-tech')
  if (shengjingId) {
    const seeded = await db
      .select({ id: subscriptions.id, productId: subscriptions.productId, purpose: subscriptions.purpose })
      .from(subscriptions)
      .where(and(eq(subscriptions.partnerId, shengjingId), eq(subscriptions.state, 'active')))
    // Inserted by the platform seed itself a moment ago: dated back to when the demo partner subscribed.
    await db
      .update(subscriptions)
      .set({ createdAt: start })
      .where(
        inArray(
          subscriptions.id,
          seeded.map((s) => s.id),
        ),
      )
    for (const s of seeded) {
      const code = productRows.find((p) => p.id === s.productId)?.code ?? ''
      const weight = SHENGJING_WEIGHTS[code]
      if (weight === undefined || !METERS[code]) continue
      const apiKeyId = await keyFor(s.id, 'shengjing-tech', code)
      let until = now
      if (code === HISTORY_ENDED_PRODUCT) {
        const cancelAt = monthStart(7) + 9 * DAY_MS + 10 * HOUR_MS
        const cancelled = must(
          await cancelSubscription(db, { subscriptionId: s.id, actor: partnerAdmin, now: cancelAt }),
          'cancel ended product',
        )
        until = cancelled.endsAt ?? monthStart(8)
        await endDueSubscriptions(db, { actor: systemActor('seed'), now: until })
      }
      live.push({
        id: s.id,
        partnerId: shengjingId,
        productId: s.productId,
        productCode: code,
        purpose: s.purpose,
        apiKeyId,
        from: start,
        until,
        weight,
      })
    }
  }

  // 3. The other partners subscribe during the year; public-interest purposes are approved by the bureau a few days later.
  for (const plan of PLANNED) {
    if (!productId.has(plan.product) || !partnerId.has(plan.partner)) continue
    const at = plan.pending ? now - 2 * DAY_MS : monthStart(plan.fromMonth) + rng.int(0, 9) * DAY_MS + rng.int(9, 17) * HOUR_MS
    const created = must(
      await createSubscription(db, {
        partner: { code: plan.partner },
        productCode: plan.product,
        purpose: plan.purpose,
        statement: plan.statement ?? null,
        scenario: plan.scenario,
        expectedMonthlyVolume: Math.round(plan.weight * 800) || null,
        planCode: plan.planCode ?? 'standard',
        actor: standIn(plan.partner),
        now: at,
      }),
      `subscribe ${plan.partner} ${plan.product}`,
    )
    await db.update(subscriptions).set({ createdAt: at }).where(eq(subscriptions.id, created.id))
    if (plan.pending) continue
    let from = at
    if (created.state === 'pending') {
      from = at + 3 * DAY_MS
      must(
        await decideSubscription(db, {
          subscriptionId: created.id,
          decision: 'approve',
          comment: '公益用途属实，同意免费使用',
          actor: bureau,
          now: from,
        }),
        `approve ${plan.partner} ${plan.product}`,
      )
    }
    live.push({
      id: created.id,
      partnerId: partnerId.get(plan.partner)!,
      productId: productId.get(plan.product)!,
      productCode: plan.product,
      purpose: plan.purpose,
      apiKeyId: await keyFor(created.id, plan.partner, plan.product),
      from,
      until: now,
      weight: plan.weight,
    })
  }

  // 4. Lineage of each product as the gateway records it (gateway/access/load-access.ts, the grant's authorizations).
  const lineage = new Map<string, { datasetCodes: string; sourceUnitCodes: string; authorizationCodes: string }>()
  for (const s of live) {
    if (lineage.has(s.productId)) continue
    const rows = await db
      .select({ dataset: datasets.code, unit: sourceUnits.code, authorization: authorizations.code })
      .from(productDatasets)
      .innerJoin(datasets, eq(datasets.id, productDatasets.datasetId))
      .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
      .leftJoin(authorizations, eq(authorizations.datasetId, datasets.id))
      .where(eq(productDatasets.productId, s.productId))
      .orderBy(asc(datasets.code))
    const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))].join(',')
    lineage.set(s.productId, {
      datasetCodes: uniq(rows.map((r) => r.dataset)),
      sourceUnitCodes: uniq(rows.map((r) => r.unit)),
      authorizationCodes: uniq(rows.map((r) => r.authorization)),
    })
  }

  // 5. The calls, day by day: weekday × season × growth × the subscription's weight, with some noise.
  const days: number[] = []
  for (let d = startOfDay(start); d < now; d += DAY_MS) days.push(d)
  const intensity = (day: number, s: LiveSubscription) => {
    if (day + DAY_MS <= s.from || day >= s.until) return 0
    const parts = localParts(day + 12 * HOUR_MS)
    const monthIndex = (day - start) / (30.4 * DAY_MS)
    return s.weight * WEEKDAY[parts.weekday]! * SEASON[parts.month]! * (1 + 0.05 * monthIndex)
  }
  let expectedTotal = 0
  for (const day of days) for (const s of live) expectedTotal += intensity(day, s)
  const scale = expectedTotal > 0 ? wanted / expectedTotal : 0
  const eventRng = rng.fork('events')
  type Row = typeof usageEvents.$inferInsert
  const monthVolumes = new Map<string, { calls: number; fieldsMasked: number; exportBytes: number }>()
  let pending: Row[] = []
  let total = 0
  // Multi-row INSERTs bound positionally, as the usage recorder writes them (drizzle's per-row mapping costs more).
  const columns = Object.entries(getTableColumns(usageEvents))
  const head = `insert into "usage_events" (${columns.map(([, c]) => `"${c.name}"`).join(', ')}) values `
  const tuple = `(${columns.map(() => '?').join(', ')})`
  const client = (db as Db & { $client: Client }).$client
  const flush = async () => {
    if (pending.length === 0) return
    pending.sort((a, b) => a.at - b.at)
    const statements: InStatement[] = []
    for (let i = 0; i < pending.length; i += 500) {
      const rows = pending.slice(i, i + 500)
      statements.push({
        sql: head + new Array(rows.length).fill(tuple).join(', '),
        args: rows.flatMap((r) => columns.map(([key]) => (r as Record<string, InValue>)[key] ?? null)),
      })
    }
    await client.batch(statements, 'write')
    total += pending.length
    pending = []
  }
  for (const day of days) {
    for (const s of live) {
      const expected = intensity(day, s) * scale
      if (expected <= 0) continue
      const x = expected * (0.8 + 0.4 * eventRng.next())
      // Rounded at random (floor + a chance of the fraction): a small partner's few calls a week are not lost.
      const n = Math.floor(x) + (eventRng.next() < x - Math.floor(x) ? 1 : 0)
      const meter = METERS[s.productCode]!
      const codes = lineage.get(s.productId)!
      for (let i = 0; i < n; i++) {
        const at = day + pickHour(eventRng) * HOUR_MS + eventRng.int(0, HOUR_MS - 1)
        if (at < s.from || at >= s.until || at >= now) continue
        const row: Row = {
          id: eventId(at, eventRng),
          at,
          requestId: requestId(at, eventRng),
          apiKeyId: s.apiKeyId,
          subscriptionId: s.id,
          partnerId: s.partnerId,
          productId: s.productId,
          purpose: s.purpose,
          operation: meter.operation,
          status: 200,
          ...codes,
          subjectHash: null,
          calls: 1,
          records: meter.records(eventRng),
          fieldsMasked: meter.fieldsMasked(eventRng),
          bytesOut: meter.bytesOut(eventRng),
          computeMs: meter.computeMs(eventRng),
          exportBytes: meter.exportBytes(eventRng),
        }
        pending.push(row)
        const month = periodOf(at).period
        const v = monthVolumes.get(month) ?? { calls: 0, fieldsMasked: 0, exportBytes: 0 }
        v.calls += 1
        v.fieldsMasked += row.fieldsMasked ?? 0
        v.exportBytes += row.exportBytes ?? 0
        monthVolumes.set(month, v)
      }
    }
    if (pending.length >= 20_000) await flush()
  }
  await flush()
  log(`  usage_events: ${total.toLocaleString('en')} calls over ${HISTORY_MONTHS} months (${Date.now() - began} ms)`)

  // 6. Each ended month: the operator's costs (from its volumes), the close, invoices finalized and mostly paid, and
  // the compensation statements of the source units.
  const costRng = rng.fork('costs')
  const payRng = rng.fork('payments')
  const closed: string[] = []
  const lastClosable = previousPeriod(periodOf(now))
  const periods: BillingPeriod[] = []
  for (let p = firstPeriod; p.start <= lastClosable.start; p = nextPeriod(p)) periods.push(p)
  const [alreadyClosed] = await db.select({ n: sql<number>`count(*)` }).from(billingCloses)
  for (const [index, p] of periods.entries()) {
    const at = (offset: number) => Math.min(p.end + offset, now)
    const v = monthVolumes.get(p.period) ?? { calls: 0, fieldsMasked: 0, exportBytes: 0 }
    const noise = () => 0.9 + 0.2 * costRng.next()
    // The month's fixed part grows with the scale of the history, so unit costs are the same at any scale.
    const fixed = (fen: number) => Math.round((fen * wanted) / 30_000)
    const compute = Math.round(v.calls * 1.05 * noise()) + fixed(6_000)
    const costs = [
      { category: 'compute', grossFen: compute, subsidyFen: Math.round(compute * 0.15) },
      { category: 'storage', grossFen: fixed(3_000) + Math.round(v.calls * 0.2 * noise()), subsidyFen: 0 },
      { category: 'bandwidth', grossFen: fixed(1_000) + Math.round(v.calls * 0.3 * noise()), subsidyFen: 0 },
      {
        category: 'desensitization',
        grossFen: fixed(1_500) + Math.round(v.fieldsMasked * 0.9 * noise()),
        subsidyFen: fixed(500),
      },
      { category: 'result_export', grossFen: fixed(800) + Math.round((v.exportBytes / 1e6) * 80 * noise()), subsidyFen: 0 },
    ]
    for (const c of costs) {
      must(
        await recordCostEntry(db, {
          input: { period: p.period, ...c, note: '月度成本（演示）' },
          actor: operator,
          now: at(4 * DAY_MS),
        }),
        `cost ${p.period} ${c.category}`,
      )
    }
    if (alreadyClosed && alreadyClosed.n > 0) continue
    const close = must(
      await closeBillingPeriod(db, { period: p.period, actor: operator, now: at(DAY_MS + 10 * HOUR_MS) }),
      `close ${p.period}`,
    )
    closed.push(p.period)
    const isLast = index === periods.length - 1
    for (const invoice of close.invoices) {
      must(
        await finalizeInvoice(db, { invoiceId: invoice.id!, actor: operator, now: at(2 * DAY_MS + 15 * HOUR_MS) }),
        `finalize ${p.period}`,
      )
      // The last month's invoices are due; one partner has not paid the month before (overdue); the rest paid.
      const code = invoice.partner.code
      const overdue = index === periods.length - 3 && code === 'dongling-microcredit'
      const paidAt = p.end + (5 + payRng.int(3, 20)) * DAY_MS + payRng.int(9, 17) * HOUR_MS
      // Free (public-interest) months owe nothing: settled as they are finalized, never shown as due.
      if (invoice.totalFen === 0) {
        const settledAt = at(2 * DAY_MS + 16 * HOUR_MS)
        must(
          await markInvoicePaid(db, { invoiceId: invoice.id!, paidAt: settledAt, actor: operator, now: settledAt }),
          `settle ${p.period}`,
        )
      } else if (!isLast && !overdue && paidAt < now) {
        must(await markInvoicePaid(db, { invoiceId: invoice.id!, paidAt, actor: operator, now: paidAt }), `pay ${p.period}`)
      }
    }
    const statements = await computeCompensationStatements(db, {
      period: p.period,
      now: at(6 * DAY_MS),
      actor: operator,
    })
    if (!statements.ok && statements.error.code !== 'no_formula') must(statements, `compensation ${p.period}`)
  }

  // 7. One credit note: a paid invoice of four months ago over calls the partner showed were a retry loop of its own.
  const creditPeriod = periods[periods.length - 4]?.period
  const [credited] = creditPeriod
    ? await db
        .select({ id: invoices.id })
        .from(invoices)
        .innerJoin(partners, eq(partners.id, invoices.partnerId))
        .where(and(eq(invoices.period, creditPeriod), eq(invoices.state, 'finalized')))
        // hunhe-logistics's when it has one, else the period's largest.
        .orderBy(sql`${partners.code} = 'hunhe-logistics' desc`, desc(invoices.totalFen))
        .limit(1)
    : []
  if (credited) {
    must(
      await issueCreditNote(db, {
        invoiceId: credited.id,
        reason: '合作方系统重试导致重复计费，经核实予以冲红，重新开具',
        actor: operator,
        now: Math.min(parsePeriod(creditPeriod!)!.end + 20 * DAY_MS, now),
      }),
      'credit note',
    )
  }

  const summary = {
    partners: HISTORY_PARTNERS.length,
    subscriptions: live.length,
    events: total,
    closedPeriods: closed,
    ms: Date.now() - began,
  }
  log(`  history: ${closed.length} months closed in ${(summary.ms / 1000).toFixed(1)} s`)
  return summary
}
