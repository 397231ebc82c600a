import { randomUUID } from 'node:crypto'
import { and, eq, gte, lt, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { compensationStatements, datasetLoads, datasets, sourceUnits, usageEvents } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { Decimal, roundFen } from '../money/decimal.ts'
import { parsePeriod } from '../periods/billing-period.ts'
import { formulaAt, listCompensationFormulas } from './list-compensation-formulas.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

export interface CompensationDatasetLine {
  dataset: string
  updateFrequency: string
  /** Calls credited to the dataset (a call drawing on k datasets credits 1/k to each), decimal text. */
  calls: string
  frequencyWeight: string
  /** Share of rows accepted at intake over the dataset's loads up to the period's end (1 without loads). */
  quality: string
  preciseFen: string
}

export interface ComputedStatement {
  sourceUnitCode: string
  sourceUnitId: string
  calls: number
  amountFen: number
  preciseFen: string
  lines: CompensationDatasetLine[]
}

/**
 * Art. 23 compensation statements of an ended period, one per source unit whose data answered calls in it, with the
 * formula in force at the period's start: per dataset, credited calls × share per call × (1 + frequency weight) ×
 * (1 + quality weight × quality); a unit's amount is the sum, rounded once half-up. Calls come from the usage
 * events' lineage (`dataset_codes`), grouped in SQLite. Stored once: computing a period again returns what is stored.
 */
export async function computeCompensationStatements(
  db: Db,
  opts: { period: string; now: number; actor: Actor; requestId?: string | null; store?: boolean },
): Promise<Result<{ period: string; formulaId: string; statements: ComputedStatement[]; stored: boolean }>> {
  // A preview (`store: false`) only reads; storing the period's statements is the operator's act.
  const denied = opts.store === false ? null : refuseUnlessPermitted(opts.actor, 'compensation.compute')
  if (denied) return denied
  const period = parsePeriod(opts.period)
  if (!period) return fail('validation', 'invalid_period', 'The period must be YYYY-MM', { period: 'invalid_period' })
  if (opts.store !== false && period.end > opts.now)
    return fail('conflict', 'period_not_ended', `${period.period} has not ended`, { period: 'period_not_ended' })
  const formula = formulaAt(await listCompensationFormulas(db), period.start)
  if (!formula)
    return fail('conflict', 'no_formula', 'The bureau has not set a compensation formula for this period', {
      period: 'no_formula',
    })

  const groups = await db
    .select({ codes: usageEvents.datasetCodes, calls: sql<number>`sum(${usageEvents.calls})` })
    .from(usageEvents)
    .where(and(gte(usageEvents.at, period.start), lt(usageEvents.at, period.end)))
    .groupBy(usageEvents.datasetCodes)
  const credited = new Map<string, Decimal>()
  for (const g of groups) {
    const codes = [
      ...new Set(
        g.codes
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ]
    for (const code of codes)
      credited.set(code, (credited.get(code) ?? new Decimal(0)).plus(new Decimal(Number(g.calls)).div(codes.length)))
  }
  const meta = await db
    .select({
      code: datasets.code,
      updateFrequency: datasets.updateFrequency,
      unitId: sourceUnits.id,
      unitCode: sourceUnits.code,
      loaded: sql<number>`(SELECT coalesce(sum(${datasetLoads.rowsLoaded}), 0) FROM ${datasetLoads} WHERE ${datasetLoads.datasetId} = ${datasets.id} AND ${datasetLoads.startedAt} < ${period.end})`,
      total: sql<number>`(SELECT coalesce(sum(${datasetLoads.rowsTotal}), 0) FROM ${datasetLoads} WHERE ${datasetLoads.datasetId} = ${datasets.id} AND ${datasetLoads.startedAt} < ${period.end})`,
    })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
  const share = new Decimal(formula.sharePerCall)
  const byUnit = new Map<string, ComputedStatement & { precise: Decimal; rawCalls: Decimal }>()
  for (const d of meta) {
    const calls = credited.get(d.code)
    if (!calls || calls.isZero()) continue
    const quality = Number(d.total) > 0 ? new Decimal(Number(d.loaded)).div(Number(d.total)) : new Decimal(1)
    const fw = new Decimal(formula.frequencyWeights[d.updateFrequency] ?? '0')
    const precise = calls.times(share).times(fw.plus(1)).times(new Decimal(formula.qualityWeight).times(quality).plus(1))
    let s = byUnit.get(d.unitId)
    if (!s)
      byUnit.set(
        d.unitId,
        (s = {
          sourceUnitCode: d.unitCode,
          sourceUnitId: d.unitId,
          calls: 0,
          amountFen: 0,
          preciseFen: '0',
          lines: [],
          precise: new Decimal(0),
          rawCalls: new Decimal(0),
        }),
      )
    s.precise = s.precise.plus(precise)
    s.rawCalls = s.rawCalls.plus(calls)
    s.lines.push({
      dataset: d.code,
      updateFrequency: d.updateFrequency,
      calls: calls.toDecimalPlaces(6).toFixed(),
      frequencyWeight: fw.toFixed(),
      quality: quality.toDecimalPlaces(6).toFixed(),
      preciseFen: precise.toDecimalPlaces(6).toFixed(),
    })
  }
  const statements: ComputedStatement[] = [...byUnit.values()]
    .map(({ precise, rawCalls, ...s }) => ({
      ...s,
      calls: Number(rawCalls.toDecimalPlaces(0).toFixed()),
      amountFen: roundFen(precise),
      preciseFen: precise.toDecimalPlaces(6).toFixed(),
      lines: s.lines.sort((a, b) => a.dataset.localeCompare(b.dataset)),
    }))
    .sort((a, b) => a.sourceUnitCode.localeCompare(b.sourceUnitCode))
  if (opts.store === false) return ok({ period: period.period, formulaId: formula.id, statements, stored: false })

  const existing = await db
    .select({ id: compensationStatements.id })
    .from(compensationStatements)
    .where(eq(compensationStatements.period, period.period))
    .limit(1)
  if (existing.length > 0) return ok({ period: period.period, formulaId: formula.id, statements, stored: false })
  if (statements.length > 0) {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'billing.compensation_statements',
        objectType: 'compensation_period',
        objectId: period.period,
        requestId: opts.requestId,
        detail: {
          period: period.period,
          formulaId: formula.id,
          units: statements.length,
          totalFen: statements.reduce((s, x) => s + x.amountFen, 0),
        },
      },
      [
        db.insert(compensationStatements).values(
          statements.map((s) => ({
            id: randomUUID(),
            period: period.period,
            sourceUnitId: s.sourceUnitId,
            formulaId: formula.id,
            calls: s.calls,
            amountFen: s.amountFen,
            preciseFen: s.preciseFen,
            detail: JSON.stringify(s.lines),
          })),
        ),
      ],
    )
  }
  return ok({ period: period.period, formulaId: formula.id, statements, stored: true })
}
