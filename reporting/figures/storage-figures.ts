import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { ReportPeriod } from '../periods/report-period.ts'
import { datasetFreshness, type UpdateFrequency } from './dataset-freshness.ts'
import { breakdown, figure, groupBy, type Figure, type ReportSection } from './figure-types.ts'

// Authorized storage (Art. 16–17): what the platform holds, under which authorizations, loaded how well and how fresh.

export interface DatasetRow {
  id: string
  code: string
  name: string
  frequency: UpdateFrequency
  sourceUnitCode: string
  sourceUnitName: string
  createdAt: number
}
export interface AuthorizationRow {
  datasetId: string
  startsAt: number
  endsAt: number
  endedAt: number | null
  createdAt: number
}
export interface LoadGroup {
  datasetId: string
  state: string
  loads: number
  rowsLoaded: number
  rowsRejected: number
}

/** Datasets registered before the period's end. */
export const datasetsRegistered = (datasets: DatasetRow[]): Figure => figure('datasets_registered', 'count', datasets.length)

/** Source units whose datasets the platform holds (registered before the end), and their datasets each. */
export const sourceUnitsHeld = (datasets: DatasetRow[]): Figure[] => {
  const units = [...groupBy(datasets, (d) => d.sourceUnitCode)]
  return [
    figure('source_units', 'count', units.length),
    breakdown(
      'datasets_by_source_unit',
      'count',
      units.map(([code, ds]) => ({ key: code, label: ds[0]!.sourceUnitName, value: ds.length })),
    ),
  ]
}

/** The instant an authorization stopped: its early end, else its term's end. */
const stoppedAt = (a: AuthorizationRow) => Math.min(a.endedAt ?? Number.POSITIVE_INFINITY, a.endsAt)

/** In force at the period's last instant: started before the end, not yet stopped. */
export const isInForceAt = (a: AuthorizationRow, at: number) => a.startsAt <= at && stoppedAt(a) > at

export const authorizationsInForce = (auths: AuthorizationRow[], p: ReportPeriod): Figure =>
  figure('authorizations_in_force', 'count', auths.filter((a) => isInForceAt(a, p.end - 1)).length)

/** Granted (recorded) within the period. */
export const authorizationsGranted = (auths: AuthorizationRow[], p: ReportPeriod): Figure =>
  figure('authorizations_granted', 'count', auths.filter((a) => a.createdAt >= p.start && a.createdAt < p.end).length)

/** Ended within the period: expired at their term, or terminated early. */
export const authorizationsEnded = (auths: AuthorizationRow[], p: ReportPeriod): Figure =>
  figure('authorizations_ended', 'count', auths.filter((a) => stoppedAt(a) >= p.start && stoppedAt(a) < p.end).length)

const sum = (groups: LoadGroup[], pick: (g: LoadGroup) => number) => groups.reduce((s, g) => s + pick(g), 0)
const FAILED = new Set(['failed', 'rejected'])

export const loadFigures = (groups: LoadGroup[], datasets: DatasetRow[]): Figure[] => {
  const code = new Map(datasets.map((d) => [d.id, d]))
  const failed = groups.filter((g) => FAILED.has(g.state))
  return [
    figure(
      'loads_total',
      'count',
      sum(groups, (g) => g.loads),
    ),
    figure(
      'loads_succeeded',
      'count',
      sum(
        groups.filter((g) => g.state === 'succeeded'),
        (g) => g.loads,
      ),
    ),
    breakdown(
      'loads_failed',
      'count',
      [...groupBy(failed, (g) => g.datasetId)].map(([id, gs]) => ({
        key: code.get(id)?.code ?? id,
        label: code.get(id)?.name ?? id,
        value: sum(gs, (g) => g.loads),
      })),
    ),
    figure(
      'rows_loaded',
      'rows',
      sum(
        groups.filter((g) => g.state === 'succeeded'),
        (g) => g.rowsLoaded,
      ),
    ),
    figure(
      'rows_rejected',
      'rows',
      sum(groups, (g) => g.rowsRejected),
    ),
  ]
}

/**
 * Freshness of each dataset under an authorization in force at the end, at the end or at `now` if the period is still
 * running: its age in days (the row's value; -1 never loaded), its frequency and verdict in the note.
 */
export const freshnessFigures = (
  datasets: DatasetRow[],
  auths: AuthorizationRow[],
  lastLoads: Map<string, number>,
  p: ReportPeriod,
  now: number,
): Figure[] => {
  const asOf = Math.min(p.end - 1, now)
  const authorized = new Set(auths.filter((a) => isInForceAt(a, p.end - 1)).map((a) => a.datasetId))
  const verdicts = datasets
    .filter((d) => authorized.has(d.id))
    .map((d) => ({ d, f: datasetFreshness(d.frequency, lastLoads.get(d.id) ?? null, asOf) }))
  const fresh = verdicts.filter((v) => v.f.isFresh).length
  return [
    figure('datasets_fresh', 'count', fresh),
    figure('datasets_stale', 'count', verdicts.length - fresh),
    {
      ...breakdown(
        'freshness_by_dataset',
        'days',
        verdicts.map(({ d, f }) => ({
          key: d.code,
          label: d.name,
          value: f.ageDays ?? -1,
          note: `${d.frequency} ${f.isFresh ? 'fresh' : 'stale'}`,
        })),
      ),
      // An age has no meaningful total: the figure is the number of datasets judged.
      value: verdicts.length,
    },
  ]
}

export async function computeStorageSection(db: Db, p: ReportPeriod, now: number): Promise<ReportSection> {
  const datasets = await db.all<DatasetRow>(sql`
    SELECT d.id, d.code, d.name_zh AS name, d.update_frequency AS frequency, s.code AS sourceUnitCode, s.name_zh AS sourceUnitName, d.created_at AS createdAt
    FROM datasets d JOIN source_units s ON s.id = d.source_unit_id
    WHERE d.created_at < ${p.end} ORDER BY d.code`)
  const auths = await db.all<AuthorizationRow>(sql`
    SELECT dataset_id AS datasetId, starts_at AS startsAt, ends_at AS endsAt, ended_at AS endedAt, created_at AS createdAt
    FROM authorizations WHERE created_at < ${p.end}`)
  const loads = await db.all<LoadGroup>(sql`
    SELECT dataset_id AS datasetId, state, count(*) AS loads, coalesce(sum(rows_loaded), 0) AS rowsLoaded,
      coalesce(sum(rows_rejected), 0) AS rowsRejected
    FROM dataset_loads WHERE started_at >= ${p.start} AND started_at < ${p.end} GROUP BY dataset_id, state`)
  const last = await db.all<{ datasetId: string; at: number }>(sql`
    SELECT dataset_id AS datasetId, max(coalesce(finished_at, started_at)) AS at
    FROM dataset_loads WHERE state = 'succeeded' AND started_at < ${p.end} GROUP BY dataset_id`)
  return {
    key: 'storage',
    figures: [
      datasetsRegistered(datasets),
      ...sourceUnitsHeld(datasets),
      authorizationsInForce(auths, p),
      authorizationsGranted(auths, p),
      authorizationsEnded(auths, p),
      ...loadFigures(loads, datasets),
      ...freshnessFigures(datasets, auths, new Map(last.map((l) => [l.datasetId, l.at])), p, now),
    ],
  }
}
