import { sql, type SQL, type Table } from 'drizzle-orm'
import { cityEnterprises, cityHospitalVisits, cityMedicalInsurance, citySocialSecurity } from '#db/schema/index.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'

export type AggregateView = components['schemas']['AggregateView']
export type Dimension = 'district' | 'industry' | 'month'

/**
 * A view the aggregate component may query: the table it reads (its dataset's level decides the output rule), the SQL
 * of its dimensions and numeric fields, and how the units a group describes are counted (for k-suppression).
 * Every identifier here is fixed; callers' field names are only ever looked up in `fields`.
 */
export interface AggregateViewDef {
  view: AggregateView
  table: Table
  unit: string
  from: SQL
  dimensions: Partial<Record<Dimension, SQL>>
  fields: Readonly<Record<string, SQL>>
  units: SQL
}

export const AGGREGATE_VIEWS: Readonly<Record<AggregateView, AggregateViewDef>> = {
  enterprises: {
    view: 'enterprises',
    table: cityEnterprises,
    unit: 'enterprises',
    from: sql.raw('city_enterprises e'),
    dimensions: {
      district: sql.raw('e.district_code'),
      industry: sql.raw('e.industry'),
      month: sql.raw('substr(e.founded_on, 1, 7)'),
    },
    fields: { registered_capital_wan: sql.raw('e.registered_capital_wan') },
    units: sql.raw('count(*)'),
  },
  'hospital-visits': {
    view: 'hospital-visits',
    table: cityHospitalVisits,
    unit: 'visits',
    from: sql.raw('city_hospital_visits h'),
    dimensions: { district: sql.raw('h.district_code'), month: sql.raw('h.month') },
    fields: {
      outpatient_visits: sql.raw('h.outpatient_visits'),
      inpatient_admissions: sql.raw('h.inpatient_admissions'),
      emergency_visits: sql.raw('h.emergency_visits'),
    },
    units: sql.raw('sum(h.outpatient_visits + h.inpatient_admissions)'),
  },
  'medical-insurance': {
    view: 'medical-insurance',
    table: cityMedicalInsurance,
    unit: 'claims',
    from: sql.raw('city_medical_insurance m'),
    dimensions: { district: sql.raw('m.district_code'), month: sql.raw('m.month') },
    fields: {
      insured_persons: sql.raw('m.insured_persons'),
      claims: sql.raw('m.claims'),
      claim_amount_fen: sql.raw('m.claim_amount_fen'),
      fund_paid_fen: sql.raw('m.fund_paid_fen'),
    },
    units: sql.raw('sum(m.claims)'),
  },
  'social-security': {
    view: 'social-security',
    table: citySocialSecurity,
    unit: 'persons',
    from: sql.raw('city_social_security s join city_enterprises e on e.uscc = s.employer_uscc'),
    dimensions: { district: sql.raw('e.district_code'), industry: sql.raw('e.industry'), month: sql.raw('s.month') },
    fields: { base_fen: sql.raw('s.base_fen'), amount_fen: sql.raw('s.amount_fen') },
    // Persons told apart by the blind index of their ID number: the number itself is sealed.
    units: sql.raw('count(distinct s.id_card_bidx)'),
  },
}

export const isAggregateView = (view: string): view is AggregateView => Object.hasOwn(AGGREGATE_VIEWS, view)
