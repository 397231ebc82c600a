import { sql, type SQL } from 'drizzle-orm'

// What the sandbox may read of each typed store table (ADR 0038). Every SQL identifier a compiled query contains comes
// from here; a partner's field names are only ever looked up in these records. Personal fields (legal
// representatives, persons) have no entry at all: they cannot be grouped, filtered, aggregated or joined on. A field is
// offered only while the catalog lists it on the dataset untagged (a re-tagging withdraws it at once).

export type FieldType = 'string' | 'number'

export interface SandboxField {
  /** The catalog field (dataset_fields.name) the value is read from. */
  source: string
  type: FieldType
  /** `dimension`: group-by and filters; `measure`: numeric, aggregated (and filtered). */
  kind: 'dimension' | 'measure'
  expr: SQL
  /** Measures: each row's value is clamped to these under differential privacy (they bound the sensitivity). */
  bounds?: readonly [number, number]
  /** String dimensions: the form every value compared with it must have (anything else is refused, `value_format`). */
  pattern?: RegExp
  labelZh: string
  labelEn: string
}

export interface SandboxView {
  table: string
  /** The table's fixed alias in every compiled query (one dataset per table per query). */
  alias: string
  fields: Readonly<Record<string, SandboxField>>
  /** Declared join keys: name → the columns, in order. Two datasets join only on a key both declare. */
  keys: Readonly<Record<string, readonly SQL[]>>
  /** What tells the contributors apart (an enterprise; a district-month row of statistics). */
  subject: SQL
  /**
   * How many units a group describes, for the minimum group size: distinct subjects, or for statistics tables already
   * aggregated over people, the people-events they count (visits, claims).
   */
  units: 'subjects' | SQL
  /** With `units` a sum: the units one row describes (for the differencing check's symmetric difference). */
  rowUnits?: SQL
  unitZh: string
  unitEn: string
  /** At most this many rows of the table concern one subject (for the sensitivity of counts under DP). */
  maxRowsPerSubject: number
}

const raw = sql.raw
const dim = (
  source: string,
  type: FieldType,
  expr: string,
  labelZh: string,
  labelEn: string,
  pattern?: RegExp,
): SandboxField => ({ source, type, kind: 'dimension', expr: raw(expr), labelZh, labelEn, ...(pattern ? { pattern } : {}) })
const DISTRICT = /^\d{6}$/
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/
const measure = (
  source: string,
  expr: string,
  bounds: readonly [number, number],
  labelZh: string,
  labelEn: string,
): SandboxField => ({ source, type: 'number', kind: 'measure', expr: raw(expr), bounds, labelZh, labelEn })

export const SANDBOX_VIEWS: Readonly<Record<string, SandboxView>> = {
  city_enterprises: {
    table: 'city_enterprises',
    alias: 'e',
    fields: {
      district_code: dim('district_code', 'string', 'e.district_code', '所属区县', 'District', DISTRICT),
      industry: dim('industry', 'string', 'e.industry', '行业门类', 'Industry', /^[A-T]$/),
      status: dim('status', 'string', 'e.status', '登记状态', 'Status', /^(active|revoked|cancelled|abnormal)$/),
      founded_year: dim('founded_on', 'string', 'substr(e.founded_on, 1, 4)', '成立年份', 'Year founded', /^\d{4}$/),
      registered_capital_wan: measure(
        'registered_capital_wan',
        'e.registered_capital_wan',
        [0, 100_000],
        '注册资本（万元）',
        'Registered capital (10k yuan)',
      ),
    },
    keys: { uscc: [raw('e.uscc')] },
    subject: raw('e.uscc'),
    units: 'subjects',
    unitZh: '家企业',
    unitEn: 'enterprises',
    maxRowsPerSubject: 1,
  },
  city_tax_credit_ratings: {
    table: 'city_tax_credit_ratings',
    alias: 't',
    fields: {
      year: dim('year', 'number', 't.year', '评价年度', 'Year'),
      rating: dim('rating', 'string', 't.rating', '纳税信用级别', 'Tax-credit rating', /^[ABMCD]$/),
    },
    keys: { uscc: [raw('t.uscc')] },
    subject: raw('t.uscc'),
    units: 'subjects',
    unitZh: '家企业',
    unitEn: 'enterprises',
    // One rating per enterprise and year; the registry keeps at most ten years.
    maxRowsPerSubject: 10,
  },
  city_hospital_visits: {
    table: 'city_hospital_visits',
    alias: 'h',
    fields: {
      district_code: dim('district_code', 'string', 'h.district_code', '区县', 'District', DISTRICT),
      month: dim('month', 'string', 'h.month', '月份', 'Month', MONTH),
      outpatient_visits: measure('outpatient_visits', 'h.outpatient_visits', [0, 2_000_000], '门诊人次', 'Outpatient visits'),
      inpatient_admissions: measure(
        'inpatient_admissions',
        'h.inpatient_admissions',
        [0, 200_000],
        '住院人次',
        'Inpatient admissions',
      ),
      emergency_visits: measure('emergency_visits', 'h.emergency_visits', [0, 500_000], '急诊人次', 'Emergency visits'),
    },
    keys: { district_month: [raw('h.district_code'), raw('h.month')] },
    subject: raw(`h.district_code || '|' || h.month`),
    units: raw('sum(h.outpatient_visits + h.inpatient_admissions)'),
    rowUnits: raw('h.outpatient_visits + h.inpatient_admissions'),
    unitZh: '人次',
    unitEn: 'visits',
    maxRowsPerSubject: 1,
  },
  city_medical_insurance: {
    table: 'city_medical_insurance',
    alias: 'm',
    fields: {
      district_code: dim('district_code', 'string', 'm.district_code', '区县', 'District', DISTRICT),
      month: dim('month', 'string', 'm.month', '月份', 'Month', MONTH),
      insured_persons: measure('insured_persons', 'm.insured_persons', [0, 5_000_000], '参保人数', 'Insured persons'),
      claims: measure('claims', 'm.claims', [0, 2_000_000], '结算笔数', 'Claims'),
      claim_amount_fen: measure(
        'claim_amount_fen',
        'm.claim_amount_fen',
        [0, 100_000_000_000],
        '结算金额（分）',
        'Claim amount (fen)',
      ),
      fund_paid_fen: measure('fund_paid_fen', 'm.fund_paid_fen', [0, 100_000_000_000], '统筹支付（分）', 'Fund paid (fen)'),
    },
    keys: { district_month: [raw('m.district_code'), raw('m.month')] },
    subject: raw(`m.district_code || '|' || m.month`),
    units: raw('sum(m.claims)'),
    rowUnits: raw('m.claims'),
    unitZh: '笔结算',
    unitEn: 'claims',
    maxRowsPerSubject: 1,
  },
}

export const sandboxViewOf = (storeTable: string | null): SandboxView | undefined =>
  storeTable !== null && Object.hasOwn(SANDBOX_VIEWS, storeTable) ? SANDBOX_VIEWS[storeTable] : undefined
