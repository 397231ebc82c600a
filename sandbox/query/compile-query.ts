import { sql, type SQL } from 'drizzle-orm'
import type { SandboxField } from '../views/sandbox-views.ts'
import type { QueryPlan } from './plan-query.ts'
import { MAX_GROUPS } from './sandbox-query.ts'

export interface CompiledQuery {
  /** One row per group: g0…, a0… (and a{i}_n for averages), units, rows_read. At most MAX_GROUPS + 1 rows. */
  groups: SQL
  /** Per group, for each summed field: the top two subjects' total (d{i}_top) and the group's total (d{i}_all). */
  dominance: SQL | null
  /** The fields the dominance query weighs, in the order of its d{i} columns. */
  dominanceFields: string[]
}

/** Under differential privacy each row's value is clamped to the field's bounds (they bound the sensitivity). */
const valueOf = (def: SandboxField, clamp: boolean): SQL =>
  clamp && def.bounds ? sql`min(max(${def.expr}, ${def.bounds[0]}), ${def.bounds[1]})` : def.expr

function fromClause(plan: QueryPlan, where: SQL | null = conjunction(plan.where)): SQL {
  const from = sql.raw(`${plan.base.view.table} ${plan.base.view.alias}`)
  for (const j of plan.joins) from.append(sql` join ${sql.raw(`${j.dataset.view.table} ${j.dataset.view.alias}`)} on ${j.on}`)
  if (where) from.append(sql` where ${where}`)
  return from
}

const conjunction = (where: SQL[]): SQL | null => (where.length === 0 ? null : sql`(${sql.join(where, sql` and `)})`)

/**
 * The differencing check's precise measure (ADR 0038): per group of `plan`, the units in its filters' population and
 * not in `earlier`'s (`a_only`), and the reverse (`b_only`). Both plans share datasets, joins and group-by (the same
 * shape); only their filters differ. Units are distinct subjects, or the rows' own units for statistics tables.
 */
export function compileSymmetricDifference(plan: QueryPlan, earlier: QueryPlan): SQL {
  const a = conjunction(plan.where) ?? sql`1`
  const b = conjunction(earlier.where) ?? sql`1`
  const view = plan.base.view
  const only = (x: SQL, y: SQL) =>
    view.units === 'subjects' || !view.rowUnits
      ? sql`count(distinct case when ${x} and not coalesce(${y}, 0) then ${view.subject} end)`
      : sql`coalesce(sum(case when ${x} and not coalesce(${y}, 0) then ${view.rowUnits} else 0 end), 0)`
  const dims = plan.groupBy.map((g, i) => sql`${g.def.expr} as ${sql.raw(`g${i}`)}`)
  const keys = plan.groupBy.map((_, i) => sql.raw(`g${i}`))
  const query = sql`select ${sql.join([...dims, sql`${only(a, b)} as a_only`, sql`${only(b, a)} as b_only`], sql`, `)} from ${fromClause(plan, sql`(${a} or ${b})`)}`
  if (keys.length > 0) query.append(sql` group by ${sql.join(keys, sql`, `)}`)
  query.append(sql` limit ${MAX_GROUPS + 1}`)
  return query
}

/**
 * Compiles a plan to parameterised SQL. The only text spliced in is the views' fixed identifiers and generated column
 * aliases (g0, a1…); every value of the query is a bound parameter (drizzle's `sql` template).
 */
export function compileQuery(plan: QueryPlan): CompiledQuery {
  const clamp = plan.epsilon !== null
  const dims = plan.groupBy.map((g, i) => sql`${g.def.expr} as ${sql.raw(`g${i}`)}`)
  const aggs: SQL[] = []
  plan.aggregates.forEach((a, i) => {
    const alias = sql.raw(`a${i}`)
    const subject = plan.base.view.subject
    if (a.fn === 'count') aggs.push(sql`count(*) as ${alias}`)
    else if (a.fn === 'count_subjects') aggs.push(sql`count(distinct ${subject}) as ${alias}`)
    else {
      const v = valueOf(a.field!.def, clamp)
      if (a.fn === 'avg') aggs.push(sql`sum(${v}) as ${alias}`, sql`count(${v}) as ${sql.raw(`a${i}_n`)}`)
      else aggs.push(sql`${sql.raw(a.fn)}(${v}) as ${alias}`)
    }
  })
  const units = plan.base.view.units === 'subjects' ? sql`count(distinct ${plan.base.view.subject})` : plan.base.view.units
  const keys = plan.groupBy.map((_, i) => sql.raw(`g${i}`))
  const groups = sql`select ${sql.join([...dims, ...aggs, sql`${units} as units`, sql`count(*) as rows_read`], sql`, `)} from ${fromClause(plan)}`
  if (keys.length > 0) groups.append(sql` group by ${sql.join(keys, sql`, `)} order by ${sql.join(keys, sql`, `)}`)
  groups.append(sql` limit ${MAX_GROUPS + 1}`)

  const summed = [
    ...new Map(
      plan.aggregates.filter((a) => a.fn === 'sum' || a.fn === 'avg').map((a) => [a.field!.ref, a.field!.def]),
    ).entries(),
  ]
  if (summed.length === 0) return { groups, dominance: null, dominanceFields: [] }

  // Contributions per subject (absolute values: a large negative contributor dominates as much as a positive one),
  // ranked within each group; then the top two and the whole per group.
  const per = sql`select ${sql.join(
    [
      ...dims,
      sql`${plan.base.view.subject} as subj`,
      ...summed.map(([, def], i) => sql`sum(abs(${valueOf(def, clamp)})) as ${sql.raw(`s${i}`)}`),
    ],
    sql`, `,
  )} from ${fromClause(plan)} group by ${sql.join([...keys, sql.raw('subj')], sql`, `)}`
  const partition = keys.length > 0 ? sql`partition by ${sql.join(keys, sql`, `)} ` : sql``
  const ranked = sql`select ${sql.join(
    [
      ...keys,
      ...summed.map(
        (_, i) =>
          sql`${sql.raw(`s${i}`)}, row_number() over (${partition}order by ${sql.raw(`s${i}`)} desc) as ${sql.raw(`r${i}`)}`,
      ),
    ],
    sql`, `,
  )} from per`
  const dominance = sql`with per as (${per}), ranked as (${ranked}) select ${sql.join(
    [
      ...keys,
      ...summed.flatMap((_, i) => [
        sql`sum(case when ${sql.raw(`r${i}`)} <= 2 then ${sql.raw(`s${i}`)} else 0 end) as ${sql.raw(`d${i}_top`)}`,
        sql`sum(${sql.raw(`s${i}`)}) as ${sql.raw(`d${i}_all`)}`,
      ]),
    ],
    sql`, `,
  )} from ranked`
  if (keys.length > 0) dominance.append(sql` group by ${sql.join(keys, sql`, `)}`)
  dominance.append(sql` limit ${MAX_GROUPS + 1}`)
  return { groups, dominance, dominanceFields: summed.map(([ref]) => ref) }
}
