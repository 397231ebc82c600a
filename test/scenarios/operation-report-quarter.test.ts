import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  auditLog,
  authorizations,
  billingCloses,
  compensationStatements,
  datasetLoads,
  datasets,
  invoices,
  modelReleases,
  operationReportVersions,
  partnerExits,
  partners,
  productDatasets,
  products,
  rejectedCallBuckets,
  rejectedCalls,
  reportExports,
  sourceUnits,
  subscriptions,
  usageEvents,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { formatIso, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { computeReportFigures } from '#reporting/figures/compute-report-figures.ts'
import { findFigure, type ReportFigures, type SectionKey } from '#reporting/figures/figure-types.ts'
import { parseReportPeriod } from '#reporting/periods/report-period.ts'
import { decideOperationReport } from '#reporting/reports/decide-operation-report.ts'
import { getOperationReport, listOperationReports } from '#reporting/reports/find-operation-report.ts'
import { generateOperationReport } from '#reporting/reports/generate-operation-report.ts'
import { saveReportNarrative } from '#reporting/reports/save-report-narrative.ts'
import { submitOperationReport } from '#reporting/reports/submit-operation-report.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// A quarter (2024-Q2, Asia/Shanghai) built record by record, long before anything the seed writes, so every figure of
// its operation report is known by hand: each expectation below names the records behind it. Records one millisecond
// outside the quarter on either side are there to be left out. Then the workflow: submitted, returned with comments,
// revised into version 2 (a late event changes its figures, version 1 keeps its own), acknowledged.

const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const Q = parseReportPeriod('2024-Q2')!
const BEFORE = Q.start - 1
const AFTER = Q.end
const LAST_MS = Q.end - 1
const d = (month: number, day: number, hour = 0) => fromLocal(2024, month, day, hour)
const NOW = d(7, 5, 10)

let t: TestDatabase
let db: Db
const id = () => randomUUID()
const ids = {
  unitA: id(),
  unitB: id(),
  d1: id(),
  d2: id(),
  d3: id(),
  d4: id(),
  p1: id(),
  p2: id(),
  p3: id(),
  x: id(),
  y: id(),
  z: id(),
  sX1: id(),
  sX2: id(),
  sZ: id(),
}

async function buildQuarter(db: Db) {
  await db.insert(sourceUnits).values([
    { id: ids.unitA, code: 'RPT-A', nameZh: '报告测试单位甲', nameEn: 'Report unit A', createdAt: d(1, 1) },
    { id: ids.unitB, code: 'RPT-B', nameZh: '报告测试单位乙', nameEn: 'Report unit B', createdAt: d(1, 1) },
  ])
  const ds = (i: string, code: string, unit: string, frequency: 'daily' | 'monthly' | 'static', createdAt: number) => ({
    id: i,
    code,
    sourceUnitId: unit,
    nameZh: `数据集 ${code}`,
    nameEn: code,
    domain: 'market' as const,
    level: 'L1' as const,
    deliveryMode: 'table' as const,
    updateFrequency: frequency,
    createdAt,
  })
  await db.insert(datasets).values([
    ds(ids.d1, 'RPT-D1', ids.unitA, 'daily', d(3, 1)),
    ds(ids.d2, 'RPT-D2', ids.unitB, 'monthly', d(3, 2)),
    ds(ids.d3, 'RPT-D3', ids.unitA, 'static', LAST_MS),
    ds(ids.d4, 'RPT-D4', ids.unitB, 'daily', AFTER), // registered after the quarter: not counted
  ])
  const auth = (datasetId: string, createdAt: number, startsAt: number, endsAt: number, endedAt: number | null = null) => ({
    code: `SQ-RPT-${id().slice(0, 8)}`,
    datasetId,
    deliveryMode: 'table' as const,
    startsAt,
    endsAt,
    endedAt,
    state: (endedAt ? 'terminated' : 'active') as 'active' | 'terminated',
    createdAt,
  })
  await db.insert(authorizations).values([
    auth(ids.d1, d(1, 1), d(1, 1), fromLocal(2025, 1, 1)), // in force; granted before
    auth(ids.d2, d(4, 10), d(4, 10), Q.end), // granted in Q2; its term ends exactly at the end: still in force at its last ms
    auth(ids.d3, d(1, 5), d(1, 5), d(5, 15)), // expired in Q2
    auth(ids.d3, d(4, 1), d(4, 1), fromLocal(2026, 1, 1), LAST_MS), // terminated at Q2's last ms
    auth(ids.d4, AFTER, AFTER, fromLocal(2026, 1, 1)), // granted after
  ])
  const load = (
    datasetId: string,
    startedAt: number,
    state: 'succeeded' | 'failed' | 'rejected',
    rowsLoaded: number,
    rowsRejected = 0,
  ) => ({
    datasetId,
    mode: 'table' as const,
    trigger: 'manual' as const,
    actorLabel: 'test',
    startedAt,
    finishedAt: startedAt + 1000,
    state,
    rowsTotal: rowsLoaded + rowsRejected,
    rowsLoaded,
    rowsRejected,
  })
  await db.insert(datasetLoads).values([
    load(ids.d1, d(6, 29, 12), 'succeeded', 100), // D1 fresh: 1.5 days old at the end (daily: 2 allowed)
    load(ids.d1, d(5, 1), 'failed', 0, 3),
    load(ids.d2, d(4, 15), 'succeeded', 50), // D2 stale: 76 days old (monthly: 32)
    load(ids.d2, BEFORE, 'rejected', 0, 9), // outside
    load(ids.d1, AFTER, 'succeeded', 7), // outside
  ])
  const product = (i: string, code: string, publishedAt: number) => ({
    id: i,
    code,
    nameZh: `产品 ${code}`,
    nameEn: code,
    form: 'service' as const,
    level: 'L1' as const,
    state: 'published' as const,
    publishedAt,
  })
  await db
    .insert(products)
    .values([product(ids.p1, 'RPT-P1', d(2, 1)), product(ids.p2, 'RPT-P2', d(3, 1)), product(ids.p3, 'RPT-P3', AFTER)])
  await db.insert(productDatasets).values([
    { productId: ids.p1, datasetId: ids.d1 },
    { productId: ids.p1, datasetId: ids.d2 },
    { productId: ids.p2, datasetId: ids.d1 },
    { productId: ids.p3, datasetId: ids.d1 },
    { productId: ids.p3, datasetId: ids.d3 },
  ])
  const partner = (i: string, code: string, createdAt: number) => ({
    id: i,
    code,
    name: `合作方 ${code}`,
    kind: 'legal_person' as const,
    createdAt,
  })
  await db
    .insert(partners)
    .values([partner(ids.x, 'rpt-x', d(4, 2)), partner(ids.y, 'rpt-y', fromLocal(2023, 1, 1)), partner(ids.z, 'rpt-z', LAST_MS)])
  await db.insert(partnerExits).values({
    partnerId: ids.y,
    kind: 'voluntary',
    state: 'executed',
    reason: '测试退出',
    noticeAt: d(5, 1),
    exitAt: d(5, 20),
    executedAt: d(5, 20),
    startedByLabel: 'test',
  })
  const sub = (i: string, partnerId: string, productId: string, purpose: 'industrial' | 'public_interest') => ({
    id: i,
    partnerId,
    productId,
    purpose,
    state: 'active' as const,
    scenario: '测试场景',
    createdAt: d(4, 2),
  })
  await db
    .insert(subscriptions)
    .values([
      sub(ids.sX1, ids.x, ids.p1, 'industrial'),
      sub(ids.sX2, ids.x, ids.p2, 'public_interest'),
      sub(ids.sZ, ids.z, ids.p1, 'industrial'),
    ])
  await insertUsage(db, ids.sX1, ids.x, ids.p1, 'industrial', Array(10).fill(Q.start), {
    datasetCodes: 'RPT-D1,RPT-D2',
    sourceUnitCodes: 'RPT-A,RPT-B',
    records: 2,
    fieldsMasked: 3,
    computeMs: 5,
    bytesOut: 100,
  })
  await insertUsage(db, ids.sX2, ids.x, ids.p2, 'public_interest', Array(4).fill(d(5, 15)), {
    datasetCodes: 'RPT-D1',
    sourceUnitCodes: 'RPT-A',
    fieldsMasked: 1,
  })
  await insertUsage(db, ids.sZ, ids.z, ids.p1, 'industrial', Array(6).fill(LAST_MS), {
    datasetCodes: 'RPT-D1,RPT-D2',
    sourceUnitCodes: 'RPT-A,RPT-B',
    exportBytes: 1000,
  })
  // Left out: one millisecond before and at the end, and an answer that failed (status 500).
  await insertUsage(db, ids.sX1, ids.x, ids.p1, 'industrial', [BEFORE, AFTER], { sourceUnitCodes: 'RPT-A' })
  await insertUsage(db, ids.sX1, ids.x, ids.p1, 'industrial', [d(5, 1)], { status: 500, sourceUnitCodes: 'RPT-A' })

  await db.insert(rejectedCalls).values([
    { requestId: 'r1', operation: 'test', status: 429, code: 'rate_limited', at: d(4, 3) },
    { requestId: 'r2', operation: 'test', status: 429, code: 'rate_limited', at: LAST_MS },
    { requestId: 'r3', operation: 'test', status: 401, code: 'invalid_key', at: AFTER },
  ])
  await db.insert(rejectedCallBuckets).values([
    { minute: Q.start, code: 'invalid_key', status: 401, addressPrefix: '203.0.113.0/24', count: 5 },
    { minute: Q.start - 60_000, code: 'invalid_key', status: 401, addressPrefix: '203.0.113.0/24', count: 50 },
  ])
  const exp = (state: 'succeeded' | 'failed', completedAt: number) => ({
    partnerId: ids.x,
    apiKeyId: 'k',
    subscriptionId: ids.sX1,
    productId: ids.p1,
    params: '{}',
    format: 'csv' as const,
    state,
    bytes: 10,
    createdAt: completedAt - 1000,
    completedAt,
  })
  await db.insert(reportExports).values([exp('succeeded', d(5, 2)), exp('failed', d(5, 3)), exp('succeeded', AFTER)])
  const release = (releasedAt: number) => ({
    partnerId: ids.x,
    productId: ids.p1,
    subscriptionId: ids.sX1,
    purpose: 'industrial' as const,
    releasedAt,
  })
  await db.insert(modelReleases).values([release(d(4, 20)), release(d(6, 1)), release(AFTER)])
  const closes: Record<string, string> = {}
  for (const [m, month] of [
    ['2024-04', 4],
    ['2024-05', 5],
    ['2024-06', 6],
    ['2024-07', 7],
  ] as const) {
    closes[m] = id()
    await db.insert(billingCloses).values({
      id: closes[m],
      period: m,
      periodStart: d(month, 1),
      periodEnd: d(month + 1, 1),
      watermark: 0,
      eventsRated: 0,
      lateEvents: 0,
      unpricedEvents: 0,
      invoiceCount: 0,
      closedByLabel: 'test',
      closedAt: d(month + 1, 1),
    })
  }
  const invoice = (
    partnerId: string,
    period: string,
    state: 'draft' | 'finalized' | 'voided',
    subtotalFen: number,
    waivedFen: number,
    paidAt: number | null,
  ) => ({
    partnerId,
    closeId: closes[period]!,
    period,
    state,
    vatRate: '0.06',
    subtotalFen,
    vatFen: Math.round(subtotalFen * 0.06),
    totalFen: subtotalFen + Math.round(subtotalFen * 0.06),
    waivedFen,
    paidAt,
  })
  await db
    .insert(invoices)
    .values([
      invoice(ids.x, '2024-04', 'finalized', 10_000, 500, d(5, 10)),
      invoice(ids.z, '2024-05', 'finalized', 2_000, 0, null),
      invoice(ids.x, '2024-06', 'draft', 700, 0, null),
      invoice(ids.y, '2024-04', 'voided', 9_999, 0, null),
      invoice(ids.x, '2024-07', 'finalized', 5_000, 0, null),
    ])
  const statement = (period: string, sourceUnitId: string, amountFen: number) => ({
    period,
    sourceUnitId,
    formulaId: 'f',
    calls: 1,
    amountFen,
    preciseFen: String(amountFen),
    detail: '[]',
  })
  await db
    .insert(compensationStatements)
    .values([
      statement('2024-04', ids.unitA, 300),
      statement('2024-06', ids.unitA, 200),
      statement('2024-05', ids.unitB, 100),
      statement('2024-07', ids.unitB, 999),
    ])
}

async function insertUsage(
  db: Db,
  subscriptionId: string,
  partnerId: string,
  productId: string,
  purpose: 'industrial' | 'public_interest',
  ats: number[],
  meters: Partial<Record<'records' | 'fieldsMasked' | 'computeMs' | 'bytesOut' | 'exportBytes' | 'status', number>> & {
    datasetCodes?: string
    sourceUnitCodes?: string
  } = {},
) {
  await db.insert(usageEvents).values(
    ats.map((at) => ({
      id: id(),
      at,
      requestId: `req_${id().replace(/-/g, '')}`,
      apiKeyId: 'k',
      subscriptionId,
      partnerId,
      productId,
      purpose,
      operation: 'test',
      status: meters.status ?? 200,
      datasetCodes: meters.datasetCodes ?? '',
      sourceUnitCodes: meters.sourceUnitCodes ?? '',
      records: meters.records ?? 0,
      fieldsMasked: meters.fieldsMasked ?? 0,
      computeMs: meters.computeMs ?? 0,
      bytesOut: meters.bytesOut ?? 0,
      exportBytes: meters.exportBytes ?? 0,
    })),
  )
}

const value = (f: ReportFigures, section: SectionKey, key: string) => {
  const fig = findFigure(f, section, key)
  if (!fig) throw new Error(`no figure ${section}.${key}`)
  return fig.value
}
const rows = (f: ReportFigures, section: SectionKey, key: string) =>
  Object.fromEntries((findFigure(f, section, key)?.rows ?? []).map((r) => [r.key, r.value]))

describe('scenario: a quarter’s operation report, every figure from the records behind it', () => {
  beforeAll(async () => {
    t = await createTestDatabase()
    db = t.db
  })
  afterAll(() => t?.destroy())

  it('before the quarter is built, every figure of 2024-Q2 is zero (the seed lives years later)', async () => {
    const f = await computeReportFigures(db, { period: Q, now: NOW })
    for (const s of f.sections) for (const fig of s.figures) expect(fig.value, `${s.key}.${fig.key}`).toBe(0)
  })

  it('storage, interaction, processing, fusion and market: each figure equals its records', async () => {
    await buildQuarter(db)
    const f = await computeReportFigures(db, { period: Q, now: NOW })
    expect(f).toMatchObject({
      period: '2024-Q2',
      kind: 'quarterly',
      from: '2024-04-01',
      to: '2024-06-30',
      generatedAt: formatIso(fromLocal(2024, 7, 5, 10)),
    })
    expect(f.sections.map((s) => s.key)).toEqual(['storage', 'interaction', 'processing', 'fusion', 'market'])
    // Storage: D1, D2, D3 registered by the end (D3 at its last ms); D4 after.
    expect(value(f, 'storage', 'datasets_registered')).toBe(3)
    expect(value(f, 'storage', 'source_units')).toBe(2)
    expect(rows(f, 'storage', 'datasets_by_source_unit')).toEqual({ 'RPT-A': 2, 'RPT-B': 1 })
    // In force at the last ms: D1's and D2's (whose term ends exactly at the end); D3's expired and terminated.
    expect(value(f, 'storage', 'authorizations_in_force')).toBe(2)
    // Granted in Q2: D2's (04-10) and D3's terminated one (04-01).
    expect(value(f, 'storage', 'authorizations_granted')).toBe(2)
    // Ended in Q2: D3's expiry (05-15) and its termination (the last ms); D2's ends at the end, i.e. in Q3.
    expect(value(f, 'storage', 'authorizations_ended')).toBe(2)
    expect(value(f, 'storage', 'loads_total')).toBe(3)
    expect(value(f, 'storage', 'loads_succeeded')).toBe(2)
    expect(rows(f, 'storage', 'loads_failed')).toEqual({ 'RPT-D1': 1 })
    expect(value(f, 'storage', 'rows_loaded')).toBe(150)
    expect(value(f, 'storage', 'rows_rejected')).toBe(3)
    expect(value(f, 'storage', 'datasets_fresh')).toBe(1)
    expect(value(f, 'storage', 'datasets_stale')).toBe(1)
    expect(findFigure(f, 'storage', 'freshness_by_dataset')!.rows).toEqual([
      { key: 'RPT-D2', label: '数据集 RPT-D2', value: 76, note: 'monthly stale' },
      { key: 'RPT-D1', label: '数据集 RPT-D1', value: 1, note: 'daily fresh' },
    ])
    // Interaction: 10 (X, P1, at the first ms) + 4 (X, P2, public interest) + 6 (Z, P1, at the last ms).
    expect(value(f, 'interaction', 'calls_total')).toBe(20)
    expect(rows(f, 'interaction', 'calls_by_month')).toEqual({ '2024-04': 10, '2024-05': 4, '2024-06': 6 })
    expect(rows(f, 'interaction', 'calls_by_product')).toEqual({ 'RPT-P1': 16, 'RPT-P2': 4 })
    expect(rows(f, 'interaction', 'calls_by_partner')).toEqual({ 'rpt-x': 14, 'rpt-z': 6 })
    expect(rows(f, 'interaction', 'calls_by_purpose')).toEqual({ industrial: 16, public_interest: 4 })
    // Lineage: every call drew on A; the 16 fused calls on B too.
    expect(rows(f, 'interaction', 'calls_by_source_unit')).toEqual({ 'RPT-A': 20, 'RPT-B': 16 })
    // Refusals: 2 logged rate_limited, 5 counted invalid_key in Q2's first minute; the others outside.
    expect(rows(f, 'interaction', 'refusals_by_reason')).toEqual({ invalid_key: 5, rate_limited: 2 })
    expect(value(f, 'interaction', 'refusals_by_reason')).toBe(7)
    // Processing: meters of the 20 answered calls.
    expect(value(f, 'processing', 'fields_masked')).toBe(10 * 3 + 4 * 1)
    expect(value(f, 'processing', 'records_returned')).toBe(10 * 2)
    expect(value(f, 'processing', 'compute_ms')).toBe(10 * 5)
    expect(value(f, 'processing', 'bytes_out')).toBe(10 * 100)
    expect(value(f, 'processing', 'export_bytes')).toBe(6 * 1000)
    expect(value(f, 'processing', 'exports_completed')).toBe(1)
    expect(rows(f, 'processing', 'model_releases')).toEqual({ 'RPT-P1': 2 })
    // Fusion: P1 (D1 + D2, units A and B) and P2 published by the end; P3 after.
    expect(value(f, 'fusion', 'products_published')).toBe(2)
    expect(value(f, 'fusion', 'products_combining_datasets')).toBe(1)
    expect(findFigure(f, 'fusion', 'products_combining_datasets')!.rows).toEqual([
      { key: 'RPT-P1', label: '产品 RPT-P1', value: 2, note: 'source_units=2' },
    ])
    expect(value(f, 'fusion', 'products_across_source_units')).toBe(1)
    expect(value(f, 'fusion', 'calls_combining_datasets')).toBe(16)
    expect(rows(f, 'fusion', 'scenarios_served')).toEqual({ industrial: 2, public_interest: 1 })
    // The sandbox's jobs appear once the platform has the table (none in this quarter).
    const [sandbox] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sandbox_jobs'`)
    expect(findFigure(f, 'fusion', 'sandbox_jobs')?.value).toBe(sandbox!.n ? 0 : undefined)
    // Market: finalized invoices of April–June (net of VAT); the voided and July ones count for nothing.
    expect(value(f, 'market', 'revenue_charged_fen')).toBe(12_000)
    expect(rows(f, 'market', 'revenue_charged_fen')).toEqual({ '2024-04': 10_000, '2024-05': 2_000, '2024-06': 0 })
    expect(value(f, 'market', 'revenue_paid_fen')).toBe(10_000)
    expect(value(f, 'market', 'revenue_unpaid_fen')).toBe(2_000)
    expect(value(f, 'market', 'revenue_waived_fen')).toBe(500)
    expect(value(f, 'market', 'revenue_draft_fen')).toBe(700)
    expect(value(f, 'market', 'public_interest_call_share')).toBe(0.2)
    expect(rows(f, 'market', 'compensation_fen')).toEqual({ 'RPT-A': 500, 'RPT-B': 100 })
    expect(value(f, 'market', 'compensation_fen')).toBe(600)
    expect(rows(f, 'market', 'partners_joined')).toEqual({ 'rpt-x': 1, 'rpt-z': 1 })
    expect(findFigure(f, 'market', 'partners_exited')!.rows).toEqual([
      { key: 'rpt-y', label: '合作方 rpt-y', value: 1, note: 'voluntary' },
    ])
    // X and Z joined, Y was there and left.
    expect(value(f, 'market', 'partners_at_end')).toBe(2)
  })

  it('the workflow: generate, narrative, submit, returned with comments, revised as version 2, acknowledged', async () => {
    const audits = async () =>
      (
        await db
          .select({ action: auditLog.action, objectId: auditLog.objectId })
          .from(auditLog)
          .where(eq(auditLog.objectType, 'operation_report'))
      )
        .filter((a) => a.objectId === reportId)
        .map((a) => a.action)
    const generated = await generateOperationReport(db, { actor: operator, period: '2024-Q2', now: NOW })
    const reportId = generated.ok ? generated.value.reportId : ''
    expect(generated).toEqual({ ok: true, value: expect.objectContaining({ version: 1, outcome: 'created' }) })
    // A first draft is the operator's: the bureau does not see it (only the demo's submitted report).
    const periodsSeen = async (actor: Actor) => {
      const listed = await listOperationReports(db, { actor })
      return listed.ok ? listed.value.map((r) => r.period) : []
    }
    expect(await periodsSeen(bureau)).not.toContain('2024-Q2')
    expect(await periodsSeen(operator)).toContain('2024-Q2')
    expect((await getOperationReport(db, { actor: bureau, period: '2024-Q2' })).ok).toBe(false)
    // Submitting needs the summary.
    expect(await submitOperationReport(db, { actor: operator, period: '2024-Q2', now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'summary_required' },
    })
    const saved = await saveReportNarrative(db, {
      actor: operator,
      period: '2024-Q2',
      narrative: { summary: '  本季度平稳。\r\n第二行  ', market: '<b>公益</b>免费' },
    })
    expect(saved.ok).toBe(true)
    expect(await submitOperationReport(db, { actor: operator, period: '2024-Q2', now: NOW + 1000 })).toEqual({
      ok: true,
      value: { version: 1 },
    })
    const submitted = await getOperationReport(db, { actor: bureau, period: '2024-Q2' })
    if (!submitted.ok) throw new Error(submitted.error.code)
    expect(submitted.value.shown).toMatchObject({
      version: 1,
      state: 'submitted',
      narrative: { summary: '本季度平稳。\n第二行', market: '<b>公益</b>免费' },
    })
    expect(value(submitted.value.shown.figures, 'interaction', 'calls_total')).toBe(20)
    // Submitted: no more edits, no regeneration, and the database itself refuses to change its figures.
    expect(await saveReportNarrative(db, { actor: operator, period: '2024-Q2', narrative: { summary: 'x' } })).toMatchObject({
      error: { code: 'not_draft' },
    })
    expect(await generateOperationReport(db, { actor: operator, period: '2024-Q2', now: NOW })).toMatchObject({
      error: { code: 'report_submitted' },
    })
    await expect(db.update(operationReportVersions).set({ figures: '{}' })).rejects.toThrow()
    await expect(db.delete(operationReportVersions)).rejects.toThrow()
    // The bureau returns it: a comment is required.
    expect(await decideOperationReport(db, { actor: bureau, period: '2024-Q2', version: 1, decision: 'return' })).toMatchObject({
      error: { kind: 'validation', fields: { comment: 'required' } },
    })
    expect(
      await decideOperationReport(db, {
        actor: bureau,
        period: '2024-Q2',
        version: 1,
        decision: 'return',
        comment: '请补充数据更新不及时的原因。',
      }),
    ).toEqual({ ok: true, value: { version: 1, state: 'returned' } })
    // A late event of the quarter arrives; the revision is version 2 with the narrative carried over and fresh figures.
    await insertUsage(db, ids.sX2, ids.x, ids.p2, 'public_interest', [d(6, 2)], {
      sourceUnitCodes: 'RPT-A',
      datasetCodes: 'RPT-D1',
    })
    expect(await generateOperationReport(db, { actor: operator, period: '2024-Q2', now: NOW + 5000 })).toMatchObject({
      value: { version: 2, outcome: 'revised' },
    })
    // The bureau still sees version 1 (returned) while version 2 is a draft, and cannot decide the draft.
    const meanwhile = await getOperationReport(db, { actor: bureau, period: '2024-Q2' })
    expect(meanwhile.ok && meanwhile.value.shown.version).toBe(1)
    expect(
      await decideOperationReport(db, { actor: bureau, period: '2024-Q2', version: 2, decision: 'acknowledge' }),
    ).toMatchObject({
      error: { code: 'not_submitted' },
    })
    const draft2 = await getOperationReport(db, { actor: operator, period: '2024-Q2' })
    if (!draft2.ok) throw new Error(draft2.error.code)
    expect(draft2.value.shown).toMatchObject({ version: 2, state: 'draft', narrative: { summary: '本季度平稳。\n第二行' } })
    expect(value(draft2.value.shown.figures, 'interaction', 'calls_total')).toBe(21)
    expect(value(draft2.value.shown.figures, 'market', 'public_interest_call_share')).toBe(0.2381)
    await saveReportNarrative(db, {
      actor: operator,
      period: '2024-Q2',
      narrative: { summary: '本季度平稳。已说明数据更新情况。' },
    })
    expect((await submitOperationReport(db, { actor: operator, period: '2024-Q2' })).ok).toBe(true)
    // Deciding the old version is refused; the new one is acknowledged; then the report stands.
    expect(
      await decideOperationReport(db, { actor: bureau, period: '2024-Q2', version: 1, decision: 'acknowledge' }),
    ).toMatchObject({
      error: { code: 'not_submitted' },
    })
    expect(await decideOperationReport(db, { actor: bureau, period: '2024-Q2', version: 2, decision: 'acknowledge' })).toEqual({
      ok: true,
      value: { version: 2, state: 'acknowledged' },
    })
    expect(await generateOperationReport(db, { actor: operator, period: '2024-Q2' })).toMatchObject({
      error: { code: 'report_acknowledged' },
    })
    // Both versions kept, each with its own frozen figures and comments.
    const final = await getOperationReport(db, { actor: bureau, period: '2024-Q2', version: 1 })
    if (!final.ok) throw new Error(final.error.code)
    expect(final.value.versions.map((v) => [v.version, v.state, v.bureauComment])).toEqual([
      [1, 'returned', '请补充数据更新不及时的原因。'],
      [2, 'acknowledged', null],
    ])
    expect(value(final.value.shown.figures, 'interaction', 'calls_total')).toBe(20)
    const listed = await listOperationReports(db, { actor: bureau })
    expect(listed.ok && listed.value.find((r) => r.period === '2024-Q2')).toMatchObject({
      latestVersion: 2,
      state: 'acknowledged',
    })
    expect(await audits()).toEqual([
      'operation_report.generate',
      'operation_report.edit',
      'operation_report.submit',
      'operation_report.return',
      'operation_report.generate',
      'operation_report.edit',
      'operation_report.submit',
      'operation_report.acknowledge',
    ])
  })
})
