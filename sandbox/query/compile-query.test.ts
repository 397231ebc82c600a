import { describe, expect, it } from 'vitest'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { SQL } from 'drizzle-orm'
import { compileQuery } from './compile-query.ts'
import { planQuery, type SandboxDataset } from './plan-query.ts'
import { sandboxQuerySchema } from './sandbox-query.ts'

const dialect = new SQLiteSyncDialect()
const render = (q: SQL) => dialect.sqlToQuery(q)

const registry: SandboxDataset = {
  code: 'DS-SCJG-0001',
  storeTable: 'city_enterprises',
  level: 'L2',
  fields: [
    { name: 'uscc', piTag: 'uscc' },
    { name: 'legal_rep_id_card', piTag: 'id_card' },
    { name: 'legal_rep_phone', piTag: 'phone' },
    { name: 'registered_capital_wan', piTag: null },
    { name: 'industry', piTag: null },
    { name: 'district_code', piTag: null },
    { name: 'status', piTag: null },
    { name: 'founded_on', piTag: null },
    { name: 'address', piTag: 'address' },
  ],
}
const tax: SandboxDataset = {
  code: 'DS-SW-0001',
  storeTable: 'city_tax_credit_ratings',
  level: 'L3',
  fields: [
    { name: 'uscc', piTag: 'uscc' },
    { name: 'year', piTag: null },
    { name: 'rating', piTag: null },
  ],
}
const social: SandboxDataset = { code: 'DS-RS-0001', storeTable: 'city_social_security', level: 'L4', fields: [] }
const hospital: SandboxDataset = {
  code: 'DS-WJ-0001',
  storeTable: 'city_hospital_visits',
  level: 'L2',
  fields: ['district_code', 'month', 'outpatient_visits'].map((name) => ({ name, piTag: null })),
}
const authorized = [registry, tax, hospital]

function plan(query: unknown, datasets: SandboxDataset[] = authorized) {
  const parsed = sandboxQuerySchema.safeParse(query)
  if (!parsed.success) return { schema: parsed.error.issues.map((i) => `${i.path.join('.')}:${i.message}`) }
  return planQuery(parsed.data, datasets)
}

const joined = {
  from: 'DS-SCJG-0001',
  join: [{ dataset: 'DS-SW-0001', on: 'uscc' }],
  filters: [
    { field: 'DS-SW-0001.year', op: 'eq', value: 2025 },
    { field: 'DS-SCJG-0001.industry', op: 'in', value: ['F', 'C'] },
  ],
  groupBy: ['DS-SCJG-0001.district_code', 'DS-SW-0001.rating'],
  aggregates: [{ fn: 'count_subjects' }, { fn: 'sum', field: 'DS-SCJG-0001.registered_capital_wan' }],
}

describe('compiling a sandbox query', () => {
  it('joins on the declared key, groups, and binds every value as a parameter', () => {
    const p = plan(joined)
    if (!('ok' in p) || !p.ok) throw new Error(JSON.stringify(p))
    expect(p.value.k).toBe(20)
    const { groups, dominance } = compileQuery(p.value)
    const g = render(groups)
    expect(g.sql).toContain('from city_enterprises e join city_tax_credit_ratings t on t.uscc = e.uscc')
    expect(g.sql).toContain('where (t.year = ? and e.industry in (?, ?))')
    expect(g.sql).toContain('group by g0, g1')
    expect(g.params).toEqual([2025, 'F', 'C', 501])
    const d = render(dominance!)
    expect(d.sql).toContain('row_number() over (partition by g0, g1 order by s0 desc)')
    expect(d.params).toEqual([2025, 'F', 'C', 501])
  })

  it('refuses a value that does not have its field’s form (SQL in a value never reaches the statement)', () => {
    for (const value of ["F' OR 1=1 --", 'F;', '210102 ', '2025-13']) {
      const p = plan({ ...joined, filters: [{ field: 'DS-SCJG-0001.industry', op: 'eq', value }] })
      expect(p, value).toMatchObject({ ok: false, error: { fields: { 'filters.0.value': 'value_format' } } })
    }
    expect(plan({ ...joined, filters: [{ field: 'DS-SW-0001.year', op: 'eq', value: '2025 or 1=1' }] })).toMatchObject({
      ok: false,
      error: { fields: { 'filters.0.value': 'value_type' } },
    })
  })

  it('clamps measures to their bounds under differential privacy', () => {
    const p = plan({ ...joined, privacy: { epsilon: 0.5 } })
    if (!('ok' in p) || !p.ok) throw new Error(JSON.stringify(p))
    expect(p.value.maxRowsPerSubject).toBe(10)
    expect(render(compileQuery(p.value).groups).sql).toContain('sum(min(max(e.registered_capital_wan, ?), ?))')
  })

  it('offers no personal field, nor one the catalog has since tagged', () => {
    for (const field of ['legal_rep_id_card', 'legal_rep_phone', 'address', 'uscc', 'name']) {
      const p = plan({ from: 'DS-SCJG-0001', groupBy: [`DS-SCJG-0001.${field}`], aggregates: [{ fn: 'count' }] })
      expect(p).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: { 'groupBy.0': 'unknown_field' } } })
    }
    const retagged = {
      ...registry,
      fields: registry.fields.map((f) => (f.name === 'industry' ? { ...f, piTag: 'name' as const } : f)),
    }
    expect(
      plan({ from: 'DS-SCJG-0001', groupBy: ['DS-SCJG-0001.industry'], aggregates: [{ fn: 'count' }] }, [retagged]),
    ).toMatchObject({
      ok: false,
      error: { fields: { 'groupBy.0': 'unknown_field' } },
    })
  })

  it('answers an unknown or unauthorized dataset as not found, and an L4 dataset as not permitted', () => {
    expect(plan({ from: 'DS-XX-0001', aggregates: [{ fn: 'count' }] })).toMatchObject({
      ok: false,
      error: { kind: 'not_found', code: 'dataset_not_found' },
    })
    expect(
      plan({ from: 'DS-SCJG-0001', join: [{ dataset: 'DS-RS-0001', on: 'uscc' }], aggregates: [{ fn: 'count' }] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'dataset_not_found' },
    })
    expect(plan({ from: 'DS-RS-0001', aggregates: [{ fn: 'count' }] }, [social])).toMatchObject({
      ok: false,
      error: { code: 'dataset_not_found' },
    })
    const l4 = { ...tax, level: 'L4' as const }
    expect(plan({ from: 'DS-SW-0001', aggregates: [{ fn: 'count' }] }, [l4])).toMatchObject({
      ok: false,
      error: { code: 'output_not_permitted' },
    })
  })

  it('refuses joins on a key one side does not declare, measures in group-by, dimensions in sums, mistyped values', () => {
    expect(
      plan({ from: 'DS-SCJG-0001', join: [{ dataset: 'DS-WJ-0001', on: 'uscc' }], aggregates: [{ fn: 'count' }] }),
    ).toMatchObject({
      ok: false,
      error: { fields: { 'join.0.on': 'join_key_not_declared' } },
    })
    expect(
      plan({
        from: 'DS-SCJG-0001',
        groupBy: ['DS-SCJG-0001.registered_capital_wan', 'DS-SW-0001.rating'],
        filters: [{ field: 'DS-SCJG-0001.registered_capital_wan', op: 'gt', value: '100' }],
        aggregates: [
          { fn: 'sum', field: 'DS-SCJG-0001.industry' },
          { fn: 'min', field: 'DS-SCJG-0001.nope' },
        ],
      }),
    ).toMatchObject({
      ok: false,
      error: {
        fields: {
          'groupBy.0': 'not_groupable',
          'groupBy.1': 'dataset_not_in_query',
          'filters.0.value': 'value_type',
          'aggregates.0.field': 'not_numeric',
          'aggregates.1.field': 'unknown_field',
        },
      },
    })
    expect(
      plan({ ...joined, aggregates: [{ fn: 'max', field: 'DS-SCJG-0001.registered_capital_wan' }], privacy: { epsilon: 0.1 } }),
    ).toMatchObject({
      ok: false,
      error: { fields: { 'aggregates.0.fn': 'not_private' } },
    })
  })

  it('refuses in the schema names that are not references, SQL in names, and oversized queries', () => {
    const bad = [
      { from: 'city_enterprises; drop table users', aggregates: [{ fn: 'count' }] },
      { from: 'DS-SCJG-0001', groupBy: ['DS-SCJG-0001.district_code) --'], aggregates: [{ fn: 'count' }] },
      { from: 'DS-SCJG-0001', groupBy: ['e.district_code'], aggregates: [{ fn: 'count' }] },
      { from: 'DS-SCJG-0001', aggregates: [{ fn: 'count', field: 'DS-SCJG-0001.industry' }] },
      { from: 'DS-SCJG-0001', aggregates: [{ fn: 'sum' }] },
      { from: 'DS-SCJG-0001', aggregates: [] },
      { from: 'DS-SCJG-0001', aggregates: [{ fn: 'median', field: 'DS-SCJG-0001.registered_capital_wan' }] },
      { from: 'DS-SCJG-0001', aggregates: [{ fn: 'count' }], sql: 'select 1' },
      {
        from: 'DS-SCJG-0001',
        aggregates: [{ fn: 'count' }],
        filters: Array.from({ length: 13 }, () => ({ field: 'DS-SCJG-0001.status', op: 'eq', value: 'active' })),
      },
      {
        from: 'DS-SCJG-0001',
        aggregates: [{ fn: 'count' }],
        filters: [{ field: 'DS-SCJG-0001.status', op: 'in', value: Array.from({ length: 51 }, (_, i) => String(i)) }],
      },
      {
        from: 'DS-SCJG-0001',
        aggregates: [{ fn: 'count' }],
        filters: [{ field: 'DS-SCJG-0001.status', op: 'between', value: ['a'] }],
      },
      {
        from: 'DS-SCJG-0001',
        aggregates: [{ fn: 'count' }],
        filters: [{ field: 'DS-SCJG-0001.status', op: 'eq', value: 'x'.repeat(65) }],
      },
      { from: 'DS-SCJG-0001', aggregates: [{ fn: 'count' }], privacy: { epsilon: 0 } },
      { from: 'DS-SCJG-0001', aggregates: [{ fn: 'count' }], privacy: { epsilon: 1.5 } },
      { from: 'DS-SCJG-0001', join: [{ dataset: 'DS-SCJG-0001', on: 'uscc' }], aggregates: [{ fn: 'count' }] },
      {
        from: 'DS-SCJG-0001',
        groupBy: ['DS-SCJG-0001.a', 'DS-SCJG-0001.b', 'DS-SCJG-0001.c', 'DS-SCJG-0001.d'],
        aggregates: [{ fn: 'count' }],
      },
    ]
    for (const q of bad) expect(plan(q), JSON.stringify(q)).toHaveProperty('schema')
  })
})
