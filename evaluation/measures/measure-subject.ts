import type { Db } from '#db/client.ts'
import type { EvaluationSubjectKind } from '#db/schema/evaluations.ts'
import type { Period } from '../evaluation-rules.ts'
import * as op from './operator-measures.ts'
import * as pa from './partner-measures.ts'
import * as su from './source-unit-measures.ts'

/** One measured figure: its key (words in app/i18n/evaluation-messages.ts, `evaluation.measure.<key>`), value and unit. */
export interface MeasuredFigure {
  key: string
  value: number | null
  unit: 'count' | 'days' | 'percent' | 'ms'
}

interface Subject {
  kind: EvaluationSubjectKind
  sourceUnitId?: string | null
  partnerId?: string | null
}

type Measure = { unit: MeasuredFigure['unit']; of: (db: Db, s: Subject, p: Period) => Promise<number | null> }

const unitScope = (s: Subject, period: Period) => ({ sourceUnitId: s.sourceUnitId ?? '', period })
const partnerScope = (s: Subject, period: Period) => ({ partnerId: s.partnerId ?? '', period })

/** Every figure the platform measures, per kind of subject, in the order shown (ADR 0034). */
export const MEASURES: Record<EvaluationSubjectKind, Record<string, Measure>> = {
  source_unit: {
    demand_items_decided: { unit: 'count', of: (db, s, p) => su.countDemandItemsDecided(db, unitScope(s, p)) },
    mean_days_to_decision: { unit: 'days', of: (db, s, p) => su.meanDaysToDecision(db, unitScope(s, p)) },
    calls_on_datasets: { unit: 'count', of: (db, s, p) => su.countCallsOnDatasets(db, unitScope(s, p)) },
    failed_loads: { unit: 'count', of: (db, s, p) => su.countFailedLoads(db, unitScope(s, p)) },
    validation_errors: { unit: 'count', of: (db, s, p) => su.countValidationErrors(db, unitScope(s, p)) },
    fresh_datasets_percent: { unit: 'percent', of: (db, s, p) => su.freshDatasetsPercent(db, unitScope(s, p)) },
    products_on_data: { unit: 'count', of: (db, s, p) => su.countProductsOnData(db, unitScope(s, p)) },
  },
  operator: {
    applications_decided: { unit: 'count', of: (db, _s, p) => op.countApplicationsDecided(db, p) },
    exits_executed: { unit: 'count', of: (db, _s, p) => op.countExitsExecuted(db, p) },
    partner_cases: { unit: 'count', of: (db, _s, p) => op.countPartnerCases(db, p) },
    products_supplied: { unit: 'count', of: (db, _s, p) => op.countProductsSupplied(db, p) },
    products_published: { unit: 'count', of: (db, _s, p) => op.countProductsPublished(db, p) },
    operator_cases: { unit: 'count', of: (db, _s, p) => op.countOperatorCases(db, p) },
    refused_calls: { unit: 'count', of: (db, _s, p) => op.countRefusedCalls(db, p) },
    incidents: { unit: 'count', of: (db, _s, p) => op.countIncidents(db, p) },
    error_rate_percent: { unit: 'percent', of: (db, _s, p) => op.errorRatePercent(db, p) },
    mean_compute_ms: { unit: 'ms', of: (db, _s, p) => op.meanComputeMs(db, p) },
    calls_answered: { unit: 'count', of: (db, _s, p) => op.countCallsAnswered(db, p) },
    public_interest_calls: { unit: 'count', of: (db, _s, p) => op.countPublicInterestCalls(db, p) },
    partners_served: { unit: 'count', of: (db, _s, p) => op.countPartnersServed(db, p) },
  },
  partner: {
    partner_calls: { unit: 'count', of: (db, s, p) => pa.countPartnerCalls(db, partnerScope(s, p)) },
    partner_refusals: { unit: 'count', of: (db, s, p) => pa.countPartnerRefusals(db, partnerScope(s, p)) },
    partner_cases: { unit: 'count', of: (db, s, p) => pa.countCasesAgainstPartner(db, partnerScope(s, p)) },
    credit_records: { unit: 'count', of: (db, s, p) => pa.countCreditRecords(db, partnerScope(s, p)) },
  },
}

export const measureKeysOf = (kind: EvaluationSubjectKind): string[] => Object.keys(MEASURES[kind])

/**
 * The Art. 19 incentive basis of a source unit's result: its figures grouped by the four dimensions the article names
 * (approvals, calls, data quality, use), each with the keys of the figures that make it.
 */
export const INCENTIVE_BASIS: readonly { dimension: string; measures: string[] }[] = [
  { dimension: 'approvals', measures: ['demand_items_decided', 'mean_days_to_decision'] },
  { dimension: 'calls', measures: ['calls_on_datasets'] },
  { dimension: 'quality', measures: ['failed_loads', 'validation_errors', 'fresh_datasets_percent'] },
  { dimension: 'use', measures: ['products_on_data'] },
]

/** Every figure the platform can measure for this subject over the period. */
export async function measureSubject(db: Db, subject: Subject, period: Period): Promise<MeasuredFigure[]> {
  const measures = Object.entries(MEASURES[subject.kind])
  const values = await Promise.all(measures.map(([, m]) => m.of(db, subject, period)))
  return measures.map(([key, m], i) => ({ key, value: values[i] ?? null, unit: m.unit }))
}
