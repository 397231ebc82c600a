import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// The platform's store of source units' data (Art. 16: data lands inside the
// platform). Filled by the deterministic generator in seed/ for the demo
// and the tests. Nothing here is ever returned raw by the gateway (Art. 4).
//
// Natural persons' names, ID numbers and phone numbers are stored sealed (SM4 + SM3-HMAC, `sm4:v1:…`), never in
// clear; a lookup on one compares its keyed blind index (`…_bidx`, SM3-HMAC) instead (db/sealed-columns.ts,
// docs/decisions/0019-sm4-personal-data-at-rest.md).

/** 市场监管局: enterprise registry. */
export const cityEnterprises = sqliteTable(
  'city_enterprises',
  {
    uscc: text('uscc').primaryKey(),
    name: text('name').notNull(),
    /** Sealed. */
    legalRepName: text('legal_rep_name').notNull(),
    /** Sealed. */
    legalRepIdCard: text('legal_rep_id_card').notNull(),
    /** Sealed. */
    legalRepPhone: text('legal_rep_phone').notNull(),
    /** Blind index of the normalised legal representative's name (legal-representative verification). */
    legalRepNameBidx: text('legal_rep_name_bidx').notNull(),
    /** Blind index of the legal representative's ID number. */
    legalRepIdCardBidx: text('legal_rep_id_card_bidx').notNull(),
    registeredCapitalWan: integer('registered_capital_wan').notNull(),
    industry: text('industry').notNull(),
    districtCode: text('district_code').notNull(),
    status: text('status', { enum: ['active', 'revoked', 'cancelled', 'abnormal'] }).notNull(),
    foundedOn: text('founded_on').notNull(),
    address: text('address').notNull(),
  },
  (t) => [index('city_enterprises_district_idx').on(t.districtCode), index('city_enterprises_name_idx').on(t.name)],
)

/** 税务局: tax credit ratings per year (A/B/M/C/D). */
export const cityTaxCreditRatings = sqliteTable(
  'city_tax_credit_ratings',
  {
    uscc: text('uscc').notNull(),
    year: integer('year').notNull(),
    rating: text('rating', { enum: ['A', 'B', 'M', 'C', 'D'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.uscc, t.year] })],
)

/** 交通局: road segments and their hourly flows. */
export const cityRoadSegments = sqliteTable('city_road_segments', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  districtCode: text('district_code').notNull(),
  lanes: integer('lanes').notNull(),
})

export const cityTrafficFlows = sqliteTable(
  'city_traffic_flows',
  {
    segmentCode: text('segment_code').notNull(),
    hourStart: integer('hour_start').notNull(),
    vehicles: integer('vehicles').notNull(),
    avgSpeedKmh: integer('avg_speed_kmh').notNull(),
  },
  (t) => [primaryKey({ columns: [t.segmentCode, t.hourStart] })],
)

/** 卫健委: hospital visits by district and month. */
export const cityHospitalVisits = sqliteTable(
  'city_hospital_visits',
  {
    districtCode: text('district_code').notNull(),
    month: text('month').notNull(),
    outpatientVisits: integer('outpatient_visits').notNull(),
    inpatientAdmissions: integer('inpatient_admissions').notNull(),
    emergencyVisits: integer('emergency_visits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.districtCode, t.month] })],
)

/** 医保局: medical-insurance statistics by district and month. */
export const cityMedicalInsurance = sqliteTable(
  'city_medical_insurance',
  {
    districtCode: text('district_code').notNull(),
    month: text('month').notNull(),
    insuredPersons: integer('insured_persons').notNull(),
    claims: integer('claims').notNull(),
    claimAmountFen: integer('claim_amount_fen').notNull(),
    fundPaidFen: integer('fund_paid_fen').notNull(),
  },
  (t) => [primaryKey({ columns: [t.districtCode, t.month] })],
)

/** 人社局: social-security contribution records per person, employer and month. */
export const citySocialSecurity = sqliteTable(
  'city_social_security',
  {
    /** Sealed. */
    idCard: text('id_card').notNull(),
    /** Blind index of the ID number: tells persons apart (the key, headcounts) without the number. */
    idCardBidx: text('id_card_bidx').notNull(),
    /** Sealed. */
    personName: text('person_name').notNull(),
    employerUscc: text('employer_uscc').notNull(),
    month: text('month').notNull(),
    insuranceType: text('insurance_type', {
      enum: ['pension', 'medical', 'unemployment', 'work_injury', 'maternity'],
    }).notNull(),
    baseFen: integer('base_fen').notNull(),
    amountFen: integer('amount_fen').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.idCardBidx, t.month, t.insuranceType] }),
    index('city_social_security_employer_idx').on(t.employerUscc),
  ],
)
