import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { MIN_GROUP_SIZE } from '#catalog/output-rules/output-rules.ts'
import { suppressSmallGroups } from '#catalog/output-rules/suppress-small-groups.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { AGGREGATE_VIEWS, isAggregateView, type AggregateViewDef, type Dimension } from './aggregate-views.ts'
import { requireOutput } from './dataset-rules.ts'
import { parseInput } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type QueryRequest = components['schemas']['AggregateQueryRequest']
type QueryResult = components['schemas']['AggregateQueryResult']
type Group = components['schemas']['AggregateGroup']

const AGGREGATE_QUERY_PRODUCT = 'aggregate-query'

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/
const bodySchema: z.ZodType<QueryRequest> = z
  .object({
    groupBy: z
      .array(z.enum(['district', 'industry', 'month']))
      .max(3)
      .refine((a) => new Set(a).size === a.length, 'duplicate')
      .optional(),
    metrics: z
      .array(z.object({ op: z.enum(['count', 'sum', 'avg']), field: z.string().max(64).optional() }).strict())
      .min(1)
      .max(8),
    filter: z
      .object({
        districts: z
          .array(z.string().regex(/^\d{6}$/))
          .max(20)
          .optional(),
        industries: z
          .array(z.string().regex(/^[A-T]$/))
          .max(20)
          .optional(),
        monthFrom: z.string().regex(MONTH).optional(),
        monthTo: z.string().regex(MONTH).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

interface Metric {
  key: string
  expr: SQL
  op: 'count' | 'sum' | 'avg'
}

/** Checks the request against the view (dimensions and fields it has) and builds the metric expressions. */
function planQuery(def: AggregateViewDef, input: QueryRequest): { groupBy: Dimension[]; metrics: Metric[] } {
  const fields: Record<string, string> = {}
  const groupBy = input.groupBy ?? []
  groupBy.forEach((dim, i) => {
    if (!def.dimensions[dim]) fields[`groupBy.${i}`] = `not_in_view`
  })
  if (input.filter?.industries && !def.dimensions.industry) fields['filter.industries'] = 'not_in_view'
  const metrics = new Map<string, Metric>()
  input.metrics.forEach((m, i) => {
    if (m.op === 'count') {
      metrics.set('count', { key: 'count', op: 'count', expr: sql.raw('count(*)') })
      return
    }
    const column = m.field !== undefined && Object.hasOwn(def.fields, m.field) ? def.fields[m.field] : undefined
    if (!column) {
      fields[`metrics.${i}.field`] = m.field === undefined ? 'required' : 'not_in_view'
      return
    }
    const key = `${m.op}_${m.field}`
    metrics.set(key, { key, op: m.op, expr: m.op === 'sum' ? sql`sum(${column})` : sql`avg(${column})` })
  })
  if (Object.keys(fields).length > 0) {
    throw new GatewayError(
      'validation_failed',
      `The ${def.view} view has dimensions ${Object.keys(def.dimensions).join(', ')} and fields ${Object.keys(def.fields).join(', ')}`,
      fields,
    )
  }
  return { groupBy, metrics: [...metrics.values()] }
}

/**
 * 统计查询组件 (component): count, sum and average over a view, grouped by district, industry and/or month. Groups
 * describing fewer than k = 10 units are withheld (only counted); rows never leave. The view's dataset level decides
 * whether aggregates may leave at all (not at L4).
 */
export function queryAggregateOperation(db: Db): ProductOperation {
  return {
    operationId: 'queryAggregate',
    method: 'POST',
    path: '/api/v1/components/{view}/query',
    productCode: AGGREGATE_QUERY_PRODUCT,
    readsBody: true,
    async handle({ body, params, datasets }) {
      const view = params.view ?? ''
      if (!isAggregateView(view))
        throw new GatewayError('not_found', `No view ${view}; views: ${Object.keys(AGGREGATE_VIEWS).join(', ')}`)
      const def = AGGREGATE_VIEWS[view]
      // A view is authorized only when the product draws on the dataset stored in its table (product_datasets): then
      // that dataset's authorization, level and lineage are the product's. Any other view is not found (issue 13: no
      // fallback to the catalog's dataset of the table, e.g. the social-security view over DS-RS-0001).
      const rules = datasets.storedIn(def.table)
      if (!rules) throw new GatewayError('not_found', `No view ${view} in this product`)
      const input = parseInput(
        bodySchema,
        body,
        'Body must be { "groupBy"?: [...], "metrics": [{ "op", "field"? }], "filter"?: {...} }',
      )
      const { groupBy, metrics } = planQuery(def, input)
      const level = rules.level
      requireOutput(level, 'aggregate', 'view')

      const where: SQL[] = []
      const f = input.filter
      if (f?.districts?.length) where.push(sql`${def.dimensions.district} in ${f.districts}`)
      if (f?.industries?.length && def.dimensions.industry) where.push(sql`${def.dimensions.industry} in ${f.industries}`)
      if (f?.monthFrom) where.push(sql`${def.dimensions.month} >= ${f.monthFrom}`)
      if (f?.monthTo) where.push(sql`${def.dimensions.month} <= ${f.monthTo}`)
      const dims = groupBy.map((d) => sql`${def.dimensions[d]} as ${sql.raw(d)}`)
      const select = sql.join(
        [
          ...dims,
          ...metrics.map((m) => sql`${m.expr} as ${sql.raw(m.key)}`),
          sql`${def.units} as units`,
          sql`count(*) as rows_read`,
        ],
        sql`, `,
      )
      const query = sql`select ${select} from ${def.from}`
      if (where.length > 0) query.append(sql` where ${sql.join(where, sql` and `)}`)
      if (groupBy.length > 0) {
        const keys = sql.join(
          groupBy.map((d) => def.dimensions[d]!),
          sql`, `,
        )
        query.append(sql` group by ${keys} order by ${keys}`)
      }
      const rows = await db.all<Record<string, string | number | null>>(query)
      // Without grouping an empty view still yields one row of nulls: there is no group then.
      const present = rows.filter((r) => Number(r.rows_read ?? 0) > 0)
      const suppressed = suppressSmallGroups(level, present, (r) => Number(r.units ?? 0), { k: MIN_GROUP_SIZE })
      if (!suppressed.ok)
        throw new GatewayError('validation_failed', suppressed.error.message, {
          view: `${level.toLowerCase()}_forbids_aggregate`,
        })

      const groups: Group[] = suppressed.value.groups.map((r) => {
        const group: Partial<Group> = {}
        for (const d of groupBy) group[d] = String(r[d])
        const values: Group['values'] = {}
        for (const m of metrics) {
          const value = Number(r[m.key] ?? 0)
          values[m.key] = m.op === 'avg' ? Math.round(value * 100) / 100 : value
        }
        return { ...group, values }
      })
      const result: QueryResult = {
        view,
        unit: def.unit,
        k: suppressed.value.k,
        groups,
        suppressedGroups: suppressed.value.suppressed,
      }
      const records = present.reduce((n, r) => n + Number(r.rows_read ?? 0), 0)
      return { status: 200, body: result, meters: { records } }
    },
  }
}
