import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import {
  apiKeys,
  creditRecords,
  datasetLoads,
  datasets,
  demandItems,
  demandItemTransitions,
  demandLists,
  incidents,
  partnerApplications,
  partnerExits,
  partners,
  productDatasets,
  products,
  rectificationCases,
  rejectedCalls,
  sourceUnits,
  usageEvents,
} from '#db/schema/index.ts'
import { DAY_MS, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { parseEvaluationPeriod } from '#evaluation/evaluation-rules.ts'
import * as su from '#evaluation/measures/source-unit-measures.ts'
import * as op from '#evaluation/measures/operator-measures.ts'
import * as pa from '#evaluation/measures/partner-measures.ts'
import { measureSubject } from '#evaluation/measures/measure-subject.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Every measured figure against records written here, in a year (2031) no seeded record falls in, for a source unit
// and a partner made here: each expected number is counted by hand from the rows below.
const Y = 2031
const at = (month: number, day: number, hour = 12) => fromLocal(Y, month, day, hour)
const P = parseEvaluationPeriod(String(Y))!
const PREV = parseEvaluationPeriod(String(Y - 1))!

describe('measured figures (ADR 0034)', () => {
  let t: TestDatabase
  const unitId = randomUUID()
  const partnerId = randomUUID()
  const keyId = randomUUID()
  const ds = { monthly: randomUUID(), fixed: randomUUID(), daily: randomUUID() }

  beforeAll(async () => {
    t = await createTestDatabase()
    const db = t.db
    await db.insert(sourceUnits).values({ id: unitId, code: 'eval-unit', nameZh: '测试数源单位', nameEn: 'Test unit' })
    await db.insert(partners).values({ id: partnerId, code: 'eval-partner', name: '测试合作方', kind: 'legal_person' })
    await db.insert(apiKeys).values({ id: keyId, partnerId, name: 'k', keyHash: randomUUID(), displayPrefix: 'sdp_x' })
    const dataset = (id: string, code: string, updateFrequency: 'monthly' | 'static' | 'daily') => ({
      id,
      code,
      sourceUnitId: unitId,
      nameZh: code,
      nameEn: code,
      domain: 'other' as const,
      level: 'L1' as const,
      deliveryMode: 'file' as const,
      updateFrequency,
      createdAt: fromLocal(Y - 1, 6, 1),
    })
    await db
      .insert(datasets)
      .values([
        dataset(ds.monthly, 'DS-EV-1', 'monthly'),
        dataset(ds.fixed, 'DS-EV-2', 'static'),
        dataset(ds.daily, 'DS-EV-3', 'daily'),
      ])
    const load = (datasetId: string, startedAt: number, state: 'succeeded' | 'failed' | 'rejected', rowsRejected = 0) => ({
      datasetId,
      mode: 'file' as const,
      trigger: 'manual' as const,
      actorLabel: 't',
      startedAt,
      finishedAt: startedAt + 60_000,
      state,
      rowsRejected,
    })
    await db.insert(datasetLoads).values([
      load(ds.monthly, at(12, 20), 'succeeded'), // fresh at the year's end (12 days ≤ 32)
      load(ds.monthly, at(3, 1), 'failed'),
      load(ds.daily, at(5, 1), 'rejected', 7),
      load(ds.daily, at(12, 1), 'succeeded'), // stale at the year's end (31 days > 2)
      load(ds.fixed, at(2, 1), 'succeeded', 3), // static: fresh once loaded
      load(ds.monthly, fromLocal(Y - 1, 7, 1), 'failed', 100), // last year: not counted
    ])
    // Demand items: A approved on 3/1 and granted 2 days later; B approved on 4/1, refused 4 days later; C in the year
    // before. Decided in the year: 2, mean 3.0 days.
    const listId = randomUUID()
    await db.insert(demandLists).values({ id: listId, code: 'XQ-EV-1', title: 't', state: 'submitted' })
    const item = (id: string) => ({
      id,
      listId,
      datasetId: ds.monthly,
      sourceUnitId: unitId,
      dataDescription: 'd',
      retrievalMethod: 'file' as const,
      usageScenario: 's',
    })
    const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()]
    await db.insert(demandItems).values([item(A), item(B), item(C)])
    const tr = (itemId: string, when: number, toState: string) => ({
      itemId,
      at: when,
      fromState: 'x',
      toState,
      actorLabel: 't',
      role: 't',
    })
    await db
      .insert(demandItemTransitions)
      .values([
        tr(A, at(3, 1), 'approved'),
        tr(A, at(3, 1) + 2 * DAY_MS, 'granted'),
        tr(B, at(4, 1), 'approved'),
        tr(B, at(4, 1) + 4 * DAY_MS, 'refused'),
        tr(C, fromLocal(Y - 1, 3, 1), 'approved'),
        tr(C, fromLocal(Y - 1, 3, 5), 'granted'),
      ])
    // Calls: lineage naming the unit (alone or among others) and answered count; a refusal status, a look-alike code
    // and last year's do not. Operator-wide: 4 events in the year, one 500.
    const event = (
      when: number,
      codes: string,
      status: number,
      purpose: 'industrial' | 'public_interest',
      computeMs: number,
      pid: string = partnerId,
    ) => ({
      id: randomUUID(),
      at: when,
      requestId: randomUUID(),
      apiKeyId: keyId,
      subscriptionId: 's',
      partnerId: pid,
      productId: 'p',
      purpose,
      operation: 'op',
      status,
      sourceUnitCodes: codes,
      computeMs,
    })
    await db
      .insert(usageEvents)
      .values([
        event(at(6, 1), 'eval-unit', 200, 'industrial', 10),
        event(at(6, 2), 'tax,eval-unit', 200, 'public_interest', 30, 'other-partner'),
        event(at(6, 3), 'eval-unit-2', 200, 'industrial', 20),
        event(at(6, 4), 'eval-unit', 500, 'industrial', 99),
        event(fromLocal(Y - 1, 6, 1), 'eval-unit', 200, 'industrial', 5),
      ])
    // Products: P1 published in the year on the unit's data; P2 a draft on it; P3 published the year after.
    const [P1, P2, P3] = [randomUUID(), randomUUID(), randomUUID()]
    const product = (id: string, code: string, state: 'published' | 'draft', publishedAt: number | null) => ({
      id,
      code,
      nameZh: code,
      nameEn: code,
      form: 'report' as const,
      level: 'L1' as const,
      state,
      publishedAt,
    })
    await db
      .insert(products)
      .values([
        product(P1, 'ev-p1', 'published', at(6, 1)),
        product(P2, 'ev-p2', 'draft', null),
        product(P3, 'ev-p3', 'published', fromLocal(Y + 1, 2, 1)),
      ])
    await db.insert(productDatasets).values([
      { productId: P1, datasetId: ds.monthly },
      { productId: P1, datasetId: ds.daily },
      { productId: P2, datasetId: ds.fixed },
      { productId: P3, datasetId: ds.monthly },
    ])
    // The operator's partner management and compliance records.
    const application = (decidedAt: number) => ({
      number: `SQ-EV-${decidedAt}`,
      kind: 'legal_person' as const,
      name: 'n',
      contactName: 'c',
      contactPhone: 'p',
      contactEmail: 'e@example.cn',
      scenarios: 's',
      purpose: 'industrial' as const,
      state: 'approved' as const,
      statusTokenHash: randomUUID(),
      address: '203.0.113.1',
      decidedAt,
    })
    await db.insert(partnerApplications).values([application(at(2, 1)), application(fromLocal(Y - 1, 2, 1))])
    await db.insert(partnerExits).values({
      partnerId,
      kind: 'voluntary',
      state: 'executed',
      reason: 'r',
      noticeAt: at(8, 1),
      exitAt: at(8, 2),
      executedAt: at(8, 2),
      startedByLabel: 't',
    })
    const kase = (code: string, targetKind: 'partner' | 'operator', openedAt: number) => ({
      code,
      state: 'open' as const,
      reporterKind: 'regulator' as const,
      report: 'r',
      targetKind,
      partnerId: targetKind === 'partner' ? partnerId : null,
      openedAt,
    })
    await db
      .insert(rectificationCases)
      .values([
        kase('ZG-EV-1', 'partner', at(9, 1)),
        kase('ZG-EV-2', 'operator', at(9, 2)),
        kase('ZG-EV-3', 'partner', fromLocal(Y + 1, 1, 5)),
      ])
    await db.insert(rejectedCalls).values([
      { at: at(10, 1), requestId: 'r1', apiKeyId: keyId, operation: 'op', status: 429, code: 'rate_limited' },
      { at: at(10, 2), requestId: 'r2', apiKeyId: 'another-key', operation: 'op', status: 401, code: 'invalid_key' },
    ])
    await db.insert(incidents).values({
      code: 'SJ-EV-1',
      title: 't',
      severity: 'low',
      state: 'closed',
      affected: '{}',
      openedAt: at(11, 1),
      openedByLabel: 't',
    })
    await db.insert(creditRecords).values({
      code: 'XY-EV-1',
      kind: 'violation',
      subjectType: 'partner',
      partnerId,
      severity: 'minor',
      sourceType: 'regulator_finding',
      occurredAt: at(11, 1),
      expiresAt: at(11, 1) + 365 * DAY_MS,
      description: 'd',
      recordedByLabel: 't',
      recordedAt: at(11, 2),
    })
  })
  afterAll(() => t?.destroy())

  const unit = { sourceUnitId: unitId, period: P }

  it('source unit: demand items decided and the mean days to a decision', async () => {
    expect(await su.countDemandItemsDecided(t.db, unit)).toBe(2)
    expect(await su.meanDaysToDecision(t.db, unit)).toBe(3)
    expect(await su.countDemandItemsDecided(t.db, { ...unit, period: PREV })).toBe(1)
    expect(await su.meanDaysToDecision(t.db, { ...unit, period: PREV })).toBe(4)
    expect(await su.meanDaysToDecision(t.db, { sourceUnitId: randomUUID(), period: P })).toBeNull()
  })

  it('source unit: answered calls whose lineage names it (not a look-alike code, not a refusal)', async () => {
    expect(await su.countCallsOnDatasets(t.db, unit)).toBe(2)
    expect(await su.countCallsOnDatasets(t.db, { ...unit, period: PREV })).toBe(1)
  })

  it('source unit: data quality — failed loads, validation errors, freshness', async () => {
    expect(await su.countFailedLoads(t.db, unit)).toBe(2)
    expect(await su.countValidationErrors(t.db, unit)).toBe(10)
    // monthly fresh, static fresh, daily stale: 2 of 3.
    expect(await su.freshDatasetsPercent(t.db, unit)).toBe(67)
    // At the end of the year before, none had a good load yet.
    expect(await su.freshDatasetsPercent(t.db, { ...unit, period: PREV })).toBe(0)
    expect(await su.countFailedLoads(t.db, { ...unit, period: PREV })).toBe(1)
  })

  it('source unit: products built on its data (published by the period end)', async () => {
    expect(await su.countProductsOnData(t.db, unit)).toBe(1)
    expect(await su.countProductsOnData(t.db, { ...unit, period: parseEvaluationPeriod(String(Y + 1))! })).toBe(2)
  })

  it('operator: partners managed, products supplied, compliance, quality and outcomes', async () => {
    expect(await op.countApplicationsDecided(t.db, P)).toBe(1)
    expect(await op.countExitsExecuted(t.db, P)).toBe(1)
    expect(await op.countPartnerCases(t.db, P)).toBe(1)
    expect(await op.countOperatorCases(t.db, P)).toBe(1)
    expect(await op.countProductsPublished(t.db, P)).toBe(1)
    expect((await op.countProductsSupplied(t.db, P)) - (await op.countProductsSupplied(t.db, PREV))).toBe(1)
    expect(await op.countRefusedCalls(t.db, P)).toBe(2)
    expect(await op.countIncidents(t.db, P)).toBe(1)
    // 1 server error among 4 events; the mean handler time of the 3 answered ones is (10 + 30 + 20) / 3.
    expect(await op.errorRatePercent(t.db, P)).toBe(25)
    expect(await op.meanComputeMs(t.db, P)).toBe(20)
    expect(await op.countCallsAnswered(t.db, P)).toBe(3)
    expect(await op.countPublicInterestCalls(t.db, P)).toBe(1)
    expect(await op.countPartnersServed(t.db, P)).toBe(2)
    const empty = parseEvaluationPeriod('2099')!
    expect(await op.errorRatePercent(t.db, empty)).toBeNull()
    expect(await op.meanComputeMs(t.db, empty)).toBeNull()
  })

  it('partner: its calls, refusals through its keys, cases and credit records', async () => {
    const s = { partnerId, period: P }
    expect(await pa.countPartnerCalls(t.db, s)).toBe(2)
    expect(await pa.countPartnerRefusals(t.db, s)).toBe(1)
    expect(await pa.countCasesAgainstPartner(t.db, s)).toBe(1)
    expect(await pa.countCreditRecords(t.db, s)).toBe(1)
    expect(await pa.countPartnerRefusals(t.db, { partnerId: randomUUID(), period: P })).toBe(0)
  })

  it('measureSubject gives every figure of a kind, keyed, with its unit', async () => {
    const figures = await measureSubject(t.db, { kind: 'source_unit', sourceUnitId: unitId }, P)
    expect(Object.fromEntries(figures.map((f) => [f.key, f.value]))).toEqual({
      demand_items_decided: 2,
      mean_days_to_decision: 3,
      calls_on_datasets: 2,
      failed_loads: 2,
      validation_errors: 10,
      fresh_datasets_percent: 67,
      products_on_data: 1,
    })
    expect(figures.find((f) => f.key === 'fresh_datasets_percent')?.unit).toBe('percent')
    const [p] = await t.db.select().from(partners).where(eq(partners.id, partnerId))
    expect((await measureSubject(t.db, { kind: 'partner', partnerId: p!.id }, P)).map((f) => f.value)).toEqual([2, 1, 1, 1])
  })
})
