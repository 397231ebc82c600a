import { sql, type SQL } from 'drizzle-orm'
import type { PiTag, SensitivityLevel } from '#db/schema/catalog.ts'
import { checkOutput, strictestLevel } from '#catalog/output-rules/output-rules.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { sandboxViewOf, type SandboxField, type SandboxView } from '../views/sandbox-views.ts'
import { minGroupSizeFor } from '../disclosure/min-group-size.ts'
import {
  aggregateKey,
  splitFieldRef,
  type AggregateFunction,
  type FilterOp,
  type SandboxQuery,
  type Scalar,
} from './sandbox-query.ts'

/** A dataset as the sandbox sees it: the catalog's current level and field tags (the gateway's dataset rules). */
export interface SandboxDataset {
  code: string
  storeTable: string | null
  level: SensitivityLevel
  fields: readonly { name: string; piTag: PiTag | null }[]
}

export interface PlannedDataset {
  code: string
  level: SensitivityLevel
  view: SandboxView
}

export interface PlannedAggregate {
  key: string
  fn: AggregateFunction
  field?: { ref: string; def: SandboxField }
}

export interface QueryPlan {
  base: PlannedDataset
  joins: { dataset: PlannedDataset; on: SQL }[]
  where: SQL[]
  groupBy: { ref: string; def: SandboxField }[]
  aggregates: PlannedAggregate[]
  /** The strictest level of the datasets read: it sets k. */
  level: SensitivityLevel
  k: number
  epsilon: number | null
  /** Rows one subject of the base can contribute to the whole result (the product over the datasets read). */
  maxRowsPerSubject: number
}

/** The fields a dataset offers in the sandbox: its view's fields whose catalog field exists and carries no tag. */
export function offeredFields(dataset: SandboxDataset, view: SandboxView): Map<string, SandboxField> {
  const untagged = new Set(dataset.fields.filter((f) => f.piTag === null).map((f) => f.name))
  const out = new Map<string, SandboxField>()
  for (const [name, def] of Object.entries(view.fields)) if (untagged.has(def.source)) out.set(name, def)
  return out
}

const invalid = (message: string, fields: Record<string, string>) => fail('validation', 'validation_failed', message, fields)

/**
 * Resolves a validated query against the datasets the caller may use (`authorized`: the sandbox product's datasets):
 * every dataset by code (unknown or not authorized → `dataset_not_found`, the same answer, so nothing is learnt about
 * what exists), every field through the whitelist, every join on a key both sides declare, every value typed against
 * its field. Builds no SQL text from the query: identifiers come from the views, values become parameters.
 */
export function planQuery(query: SandboxQuery, authorized: readonly SandboxDataset[]): Result<QueryPlan> {
  const byCode = new Map(authorized.map((d) => [d.code, d]))
  const planned = new Map<string, { dataset: PlannedDataset; fields: Map<string, SandboxField> }>()
  const codes = [query.from, ...(query.join ?? []).map((j) => j.dataset)]
  for (const code of codes) {
    const dataset = byCode.get(code)
    const view = dataset ? sandboxViewOf(dataset.storeTable) : undefined
    if (!dataset || !view) return fail('not_found', 'dataset_not_found', `No dataset ${code} in your sandbox`)
    const allowed = checkOutput(dataset.level, 'aggregate')
    if (!allowed.ok) return allowed
    planned.set(code, { dataset: { code, level: dataset.level, view }, fields: offeredFields(dataset, view) })
  }
  const errors: Record<string, string> = {}

  const joins: QueryPlan['joins'] = []
  ;(query.join ?? []).forEach((j, i) => {
    const right = planned.get(j.dataset)!
    const rightKey = Object.hasOwn(right.dataset.view.keys, j.on) ? right.dataset.view.keys[j.on]! : undefined
    // The left side: the first dataset before this one that declares the key.
    const left = codes
      .slice(0, i + 1)
      .map((c) => planned.get(c)!)
      .find((p) => Object.hasOwn(p.dataset.view.keys, j.on))
    if (!rightKey || !left) {
      errors[`join.${i}.on`] = 'join_key_not_declared'
      return
    }
    const leftKey = left.dataset.view.keys[j.on]!
    const on = sql.join(
      rightKey.map((r, n) => sql`${r} = ${leftKey[n]!}`),
      sql` and `,
    )
    joins.push({ dataset: right.dataset, on })
  })

  const resolve = (ref: string, at: string): SandboxField | undefined => {
    const { dataset, field } = splitFieldRef(ref)
    const p = planned.get(dataset)
    if (!p) {
      errors[at] = 'dataset_not_in_query'
      return undefined
    }
    const def = p.fields.get(field)
    if (!def) errors[at] = 'unknown_field'
    return def
  }

  const groupBy: QueryPlan['groupBy'] = []
  ;(query.groupBy ?? []).forEach((ref, i) => {
    const def = resolve(ref, `groupBy.${i}`)
    if (!def) return
    if (def.kind !== 'dimension') errors[`groupBy.${i}`] = 'not_groupable'
    else groupBy.push({ ref, def })
  })

  const epsilon = query.privacy?.epsilon ?? null
  const aggregates: PlannedAggregate[] = []
  query.aggregates.forEach((a, i) => {
    if (epsilon !== null && (a.fn === 'min' || a.fn === 'max')) {
      errors[`aggregates.${i}.fn`] = 'not_private'
      return
    }
    if (a.field === undefined) {
      aggregates.push({ key: aggregateKey(a), fn: a.fn })
      return
    }
    const def = resolve(a.field, `aggregates.${i}.field`)
    if (!def) return
    if (def.kind !== 'measure') errors[`aggregates.${i}.field`] = 'not_numeric'
    else aggregates.push({ key: aggregateKey(a), fn: a.fn, field: { ref: a.field, def } })
  })

  const where: SQL[] = []
  ;(query.filters ?? []).forEach((f, i) => {
    const def = resolve(f.field, `filters.${i}.field`)
    if (!def) return
    const values: Scalar[] = Array.isArray(f.value) ? f.value : [f.value]
    if (values.some((v) => typeof v !== (def.type === 'number' ? 'number' : 'string'))) {
      errors[`filters.${i}.value`] = 'value_type'
      return
    }
    if (def.pattern && values.some((v) => !def.pattern!.test(String(v)))) {
      errors[`filters.${i}.value`] = 'value_format'
      return
    }
    where.push(filterSql(def.expr, f.op, values))
  })

  if (Object.keys(errors).length > 0) return invalid('The query names fields, keys or values the sandbox does not offer', errors)

  const datasets = [...planned.values()].map((p) => p.dataset)
  const level = strictestLevel(datasets.map((d) => d.level))
  return ok({
    base: planned.get(query.from)!.dataset,
    joins,
    where,
    groupBy,
    aggregates,
    level,
    k: minGroupSizeFor(level),
    epsilon,
    maxRowsPerSubject: datasets.reduce((n, d) => n * d.view.maxRowsPerSubject, 1),
  })
}

function filterSql(expr: SQL, op: FilterOp, values: Scalar[]): SQL {
  const [a, b] = values
  switch (op) {
    case 'eq':
      return sql`${expr} = ${a}`
    case 'ne':
      return sql`${expr} <> ${a}`
    case 'lt':
      return sql`${expr} < ${a}`
    case 'lte':
      return sql`${expr} <= ${a}`
    case 'gt':
      return sql`${expr} > ${a}`
    case 'gte':
      return sql`${expr} >= ${a}`
    case 'in':
      return sql`${expr} in ${values}`
    case 'not_in':
      return sql`${expr} not in ${values}`
    case 'between':
      return sql`${expr} between ${a} and ${b}`
    default:
      throw new Error(`unknown filter op ${op}`)
  }
}
