import { fail, ok, type Result } from '#platform/result.ts'
import type { QueryPlan } from '../query/plan-query.ts'
import { MAX_GROUPS } from '../query/sandbox-query.ts'
import { DOMINANCE_CODE, isDominated } from './dominance.ts'
import { sampleLaplace } from './laplace.ts'
import { suppressSmallGroups } from './min-group-size.ts'

/** One row of the compiled groups query (g0…, a0…, a{i}_n, units, rows_read). */
export type GroupRow = Record<string, string | number | null>
/** One row of the dominance query (g0…, d{i}_top, d{i}_all). */
export type DominanceRow = Record<string, string | number | null>

export interface DisclosedGroup {
  /** Group-by reference → value. */
  key: Record<string, string | number | null>
  /** Aggregate key → value; null where a rule withheld the cell. */
  values: Record<string, number | null>
  /** Aggregate key → the code of the rule that withheld it. */
  suppressed?: Record<string, typeof DOMINANCE_CODE>
}

export interface Disclosure {
  k: number
  groups: DisclosedGroup[]
  /** Groups withheld whole by the minimum group size (only their number is told). */
  groupsSuppressed: number
  /** Cells withheld by the dominance rule. */
  cellsSuppressed: number
  /** Internal: the true units of each released group (for later differencing checks); never shown. */
  groupUnits: Map<string, number>
  rowsRead: number
}

/** A group's key independent of the order of the group-by list (a reordered query is the same query). */
export const canonicalGroupKey = (key: Record<string, unknown>): string =>
  JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const groupKeyOf = (row: Record<string, unknown>, n: number): string =>
  JSON.stringify(Array.from({ length: n }, (_, i) => row[`g${i}`] ?? null))

/**
 * Disclosure control on a result before anyone sees it (ADR 0038), in this order:
 *   1. too many groups → refused (`too_many_groups`);
 *   2. minimum group size: groups describing fewer than k units are withheld whole (`min_group_size`);
 *   3. dominance: sums and averages of a group its two largest contributors dominate are withheld (`dominance`).
 * Differencing (step 4, `check-differencing.ts`) compares the released groups with earlier jobs; noise (step 5) is
 * added by `addNoise` once the budget is drawn. Pure: no I/O.
 */
export function discloseGroups(
  plan: QueryPlan,
  rows: readonly GroupRow[],
  dominanceRows: readonly DominanceRow[],
  dominanceFields: readonly string[],
): Result<Disclosure> {
  // Without grouping, an empty selection still yields one row (of nulls and zeros): no group then.
  const present = rows.filter((r) => Number(r.rows_read ?? 0) > 0)
  if (present.length > MAX_GROUPS)
    return fail(
      'validation',
      'too_many_groups',
      `The result would have more than ${MAX_GROUPS} groups: group by fewer or coarser fields`,
      {
        groupBy: 'too_many_groups',
      },
    )
  const n = plan.groupBy.length
  const { kept, suppressed } = suppressSmallGroups(present, (r) => Number(r.units ?? 0), plan.k)

  const dominance = new Map(dominanceRows.map((r) => [groupKeyOf(r, n), r]))
  let cellsSuppressed = 0
  const groupUnits = new Map<string, number>()
  const groups = kept.map((row): DisclosedGroup => {
    const gk = groupKeyOf(row, n)
    const key: DisclosedGroup['key'] = {}
    plan.groupBy.forEach((g, i) => (key[g.ref] = row[`g${i}`] ?? null))
    groupUnits.set(canonicalGroupKey(key), Number(row.units ?? 0))
    const values: DisclosedGroup['values'] = {}
    const withheld: Record<string, typeof DOMINANCE_CODE> = {}
    plan.aggregates.forEach((a, i) => {
      const raw = row[`a${i}`]
      if (a.fn === 'sum' || a.fn === 'avg') {
        const d = dominance.get(gk)
        const f = dominanceFields.indexOf(a.field!.ref)
        if (d && f >= 0 && isDominated(Number(d[`d${f}_top`] ?? 0), Number(d[`d${f}_all`] ?? 0))) {
          values[a.key] = null
          withheld[a.key] = DOMINANCE_CODE
          cellsSuppressed++
          return
        }
      }
      if (a.fn === 'avg') {
        const count = Number(row[`a${i}_n`] ?? 0)
        values[a.key] = count > 0 ? round2(Number(raw ?? 0) / count) : null
      } else values[a.key] = raw === null || raw === undefined ? null : Number(raw)
    })
    return { key, values, ...(Object.keys(withheld).length > 0 ? { suppressed: withheld } : {}) }
  })

  const rowsRead = present.reduce((s, r) => s + Number(r.rows_read ?? 0), 0)
  return ok({ k: plan.k, groups, groupsSuppressed: suppressed, cellsSuppressed, groupUnits, rowsRead })
}

const round2 = (x: number) => Math.round(x * 100) / 100

/**
 * The Laplace mechanism over the released cells (ADR 0038). ε is split evenly over the query's aggregates (an average
 * spends its share half on its sum, half on its count); each aggregate is a histogram over disjoint groups, whose L1
 * sensitivity is bounded by the rows one subject can contribute (`maxRowsPerSubject`) times the field's clamp bound.
 * The true group rows (sums and counts before rounding) are needed for averages, so pass them along.
 */
export function addNoise(plan: QueryPlan, disclosure: Disclosure, rows: readonly GroupRow[], uniform?: () => number): Disclosure {
  const epsilon = plan.epsilon
  if (epsilon === null) return disclosure
  const share = epsilon / plan.aggregates.length
  const rowsPer = plan.maxRowsPerSubject
  const byKey = new Map(rows.map((r) => [groupKeyOf(r, plan.groupBy.length), r]))
  const laplace = (sensitivity: number, eps: number) => sampleLaplace(sensitivity / eps, uniform)
  const groups = disclosure.groups.map((g) => {
    const row = byKey.get(JSON.stringify(plan.groupBy.map((x) => g.key[x.ref] ?? null)))!
    const values = { ...g.values }
    plan.aggregates.forEach((a, i) => {
      if (values[a.key] === null) return
      const bound = a.field?.def.bounds ? Math.max(Math.abs(a.field.def.bounds[0]), Math.abs(a.field.def.bounds[1])) : 1
      if (a.fn === 'count' || a.fn === 'count_subjects')
        values[a.key] = Math.max(0, Math.round(Number(values[a.key]) + laplace(rowsPer, share)))
      else if (a.fn === 'sum') values[a.key] = round2(Number(values[a.key]) + laplace(rowsPer * bound, share))
      else if (a.fn === 'avg') {
        const sum = Number(row[`a${i}`] ?? 0) + laplace(rowsPer * bound, share / 2)
        const count = Math.max(1, Number(row[`a${i}_n`] ?? 0) + laplace(rowsPer, share / 2))
        values[a.key] = round2(sum / count)
      }
    })
    return { ...g, values }
  })
  return { ...disclosure, groups }
}
