import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { datasetLoads, datasets, sourceUnits, usageEvents } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { setCompensationFormula } from '#billing/compensation/set-compensation-formula.ts'
import { computeCompensationStatements } from '#billing/compensation/compute-compensation-statements.ts'
import { listCompensationStatements } from '#billing/compensation/list-compensation-statements.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const M = nextPeriod(nextPeriod(periodOf(Date.now())))

describe('source-unit compensation (Art. 23)', () => {
  let t: TestDatabase
  let unitA: string
  let unitB: string

  beforeEach(async () => {
    t = await createTestDatabase()
    unitA = randomUUID()
    unitB = randomUUID()
    await t.db.insert(sourceUnits).values([
      { id: unitA, code: 'comp-a', nameZh: '补偿测试甲', nameEn: 'Comp A' },
      { id: unitB, code: 'comp-b', nameZh: '补偿测试乙', nameEn: 'Comp B' },
    ])
    const base = { domain: 'market' as const, level: 'L1' as const, deliveryMode: 'table' as const }
    const dsDaily = randomUUID()
    await t.db.insert(datasets).values([
      {
        ...base,
        id: dsDaily,
        code: 'COMP-DAILY',
        sourceUnitId: unitA,
        nameZh: '日更',
        nameEn: 'daily',
        updateFrequency: 'daily',
      },
      {
        ...base,
        id: randomUUID(),
        code: 'COMP-MONTHLY',
        sourceUnitId: unitB,
        nameZh: '月更',
        nameEn: 'monthly',
        updateFrequency: 'monthly',
      },
    ])
    // Quality of the daily dataset: 90 of 100 rows accepted at intake.
    await t.db.insert(datasetLoads).values({
      datasetId: dsDaily,
      mode: 'table',
      trigger: 'seed',
      actorLabel: 'test',
      startedAt: M.start - 86_400_000,
      state: 'succeeded',
      rowsTotal: 100,
      rowsLoaded: 90,
    })
  })
  afterEach(() => t.destroy())

  async function events(n: number, datasetCodes: string, at = M.start + 3_600_000) {
    await t.db.insert(usageEvents).values(
      Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        at: at + i,
        requestId: `req_comp_${i}`,
        apiKeyId: 'test',
        subscriptionId: 'comp-sub',
        partnerId: 'comp-partner',
        productId: 'comp-product',
        purpose: 'industrial' as const,
        operation: 'test',
        status: 200,
        datasetCodes,
      })),
    )
  }

  it('computes a statement per source unit from the calls on its datasets, by hand-worked numbers', async () => {
    const formula = await setCompensationFormula(t.db, {
      input: {
        sharePerCall: '2',
        frequencyWeights: { daily: '0.5', monthly: '0' },
        qualityWeight: '0.2',
        effectiveFrom: M.start,
      },
      actor: bureau,
    })
    expect(formula.ok).toBe(true)
    await events(100, 'COMP-DAILY')
    await events(30, 'COMP-DAILY,COMP-MONTHLY')
    await events(5, 'COMP-MONTHLY', M.end + 1) // next month: not in M

    expect((await computeCompensationStatements(t.db, { period: M.period, now: M.end - 1, actor: operator })).ok).toBe(false)
    const result = await computeCompensationStatements(t.db, { period: M.period, now: M.end + 1, actor: operator })
    if (!result.ok) throw new Error(result.error.code)
    // A: 100 + 30/2 = 115 calls × 2 fen × 1.5 × (1 + 0.2 × 0.9) = 407.1 → 407 fen.
    // B: 30/2 = 15 calls × 2 fen × 1 × (1 + 0.2 × 1) = 36 fen.
    const stored = await listCompensationStatements(t.db, { period: M.period })
    const a = stored.find((s) => s.sourceUnitCode === 'comp-a')!
    const b = stored.find((s) => s.sourceUnitCode === 'comp-b')!
    expect(a).toMatchObject({ calls: 115, amountFen: 407, preciseFen: '407.1' })
    expect(a.lines[0]).toMatchObject({ dataset: 'COMP-DAILY', quality: '0.9', frequencyWeight: '0.5' })
    expect(b).toMatchObject({ calls: 15, amountFen: 36 })
    // A source unit sees only its own.
    expect((await listCompensationStatements(t.db, { sourceUnitId: unitB })).map((s) => s.sourceUnitCode)).toEqual(['comp-b'])
    // Computing again stores nothing new.
    const again = await computeCompensationStatements(t.db, { period: M.period, now: M.end + 1, actor: operator })
    expect(again.ok && again.value.stored).toBe(false)
    expect(await listCompensationStatements(t.db, { period: M.period })).toHaveLength(stored.length)
  })

  it('refuses a period without a formula, and a malformed formula beside its field', async () => {
    // The demo seed's formula is in force from 2025: a month before it has none.
    await events(3, 'COMP-DAILY', fromLocal(2024, 6, 10))
    const none = await computeCompensationStatements(t.db, { period: '2024-06', now: M.end + 1, actor: operator })
    expect(!none.ok && none.error.code).toBe('no_formula')
    const bad = await setCompensationFormula(t.db, {
      input: { sharePerCall: '-1', frequencyWeights: {}, qualityWeight: '0', effectiveFrom: M.start },
      actor: bureau,
    })
    expect(!bad.ok && bad.error.fields).toMatchObject({ sharePerCall: 'decimal' })
  })
})
