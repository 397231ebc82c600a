// Deterministic synthetic-city generator: the source units' data that lands in
// the city_* tables (db/schema/city.ts). Pure: no database, no clock, no
// Math.random. The same seed and scale give byte-identical rows.
//
// Every table draws from its own fork of the seed, so changing one table's size
// does not reshuffle another table's rows.

import { makeIdCard } from '#platform/codes/id-card.ts'
import {
  calendarYear,
  DAY_MS,
  fromLocal,
  HOUR_MS,
  localParts,
  shiftMonth,
  type LocalParts,
} from '#platform/calendar/shanghai-calendar.ts'
import { USCC_CHARSET, makeUscc } from '#platform/codes/uscc.ts'
import type {
  cityEnterprises,
  cityHospitalVisits,
  cityMedicalInsurance,
  cityRoadSegments,
  citySocialSecurity,
  cityTaxCreditRatings,
  cityTrafficFlows,
} from '#db/schema/city.ts'
import { createRng, weightedPicker, type Rng } from './random.ts'
import { DISTRICTS, INDUSTRIES, type District, type Industry } from '#platform/reference-data/shenyang.ts'
import {
  COMPANY_SUFFIXES,
  GIVEN_NAME_CHARS_FEMALE,
  GIVEN_NAME_CHARS_MALE,
  MOBILE_PREFIXES,
  SURNAMES,
  TRADE_NAME_CHARS,
} from './name-lists.ts'

// ---------------------------------------------------------------------------
// Row shapes: the drizzle tables' rows, in clear, as the source units hold them. The store seals the personal
// columns and adds their blind indexes on insert (db/sealed-columns.ts).

export type EnterpriseRow = Omit<typeof cityEnterprises.$inferSelect, 'legalRepNameBidx' | 'legalRepIdCardBidx'>
export type TaxCreditRatingRow = typeof cityTaxCreditRatings.$inferSelect
export type RoadSegmentRow = typeof cityRoadSegments.$inferSelect
export type TrafficFlowRow = typeof cityTrafficFlows.$inferSelect
export type HospitalVisitRow = typeof cityHospitalVisits.$inferSelect
export type MedicalInsuranceRow = typeof cityMedicalInsurance.$inferSelect
export type SocialSecurityRow = Omit<typeof citySocialSecurity.$inferSelect, 'idCardBidx'>

export type TaxRating = TaxCreditRatingRow['rating']
export type EnterpriseStatus = EnterpriseRow['status']
export type InsuranceType = SocialSecurityRow['insuranceType']

// ---------------------------------------------------------------------------
// Fixed reference time (never the clock): the data is "as of" 2026-11-01 00:00 Asia/Shanghai.

/** 2026-11-01 00:00 in Shenyang, as epoch ms; traffic hours end just before it. */
export const REFERENCE_END_MS = fromLocal(2026, 11, 1)
/** The last month with statistics. */
export const REFERENCE_MONTH = '2026-10'
/** The last year with a published tax credit rating (ratings for year N are published in spring N+1). */
export const LAST_RATED_YEAR = 2025

export const DEFAULT_SEED = 'shenyang-2026'

export interface ScaleSpec {
  enterprises: number
  /** Number of tax-rating years per enterprise, ending at LAST_RATED_YEAR (only years it existed). */
  taxYears: number
  roadSegments: number
  /** Days of hourly traffic ending at REFERENCE_END_MS. */
  trafficDays: number
  /** Months of hospital / medical-insurance statistics ending at REFERENCE_MONTH. */
  statsMonths: number
  /** Persons with social-security records. */
  persons: number
  /** Months of social-security records ending at REFERENCE_MONTH. */
  socialSecurityMonths: number
}

export type ScaleName = 'small' | 'city'

export const SCALES = {
  small: {
    enterprises: 2_000,
    taxYears: 3,
    roadSegments: 10,
    trafficDays: 7,
    statsMonths: 12,
    persons: 300,
    socialSecurityMonths: 3,
  },
  city: {
    enterprises: 50_000,
    taxYears: 3,
    roadSegments: 80,
    trafficDays: 60,
    statsMonths: 24,
    persons: 3_000,
    socialSecurityMonths: 12,
  },
} as const satisfies Record<ScaleName, ScaleSpec>

export const INSURANCE_TYPES_GENERATED = ['pension', 'medical', 'unemployment'] as const satisfies readonly InsuranceType[]

/** Combined employer + employee contribution rates (illustrative, Liaoning-like). */
export const CONTRIBUTION_RATES: Readonly<Record<(typeof INSURANCE_TYPES_GENERATED)[number], number>> = {
  pension: 0.24, // 16% employer + 8% employee
  medical: 0.1, // 8% employer + 2% employee
  unemployment: 0.01, // 0.5% + 0.5%
}

/** Contribution base floor and cap, fen per month (illustrative). */
export const BASE_FLOOR_FEN = 4_000_00
export const BASE_CAP_FEN = 20_000_00

// ---------------------------------------------------------------------------
// Small helpers.

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))

/** The `count` months ending at (and including) `last`, oldest first. */
export function monthsEndingAt(last: string, count: number): string[] {
  const out: string[] = []
  for (let i = count - 1; i >= 0; i--) out.push(shiftMonth(last, -i))
  return out
}

function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate()
}

const pickSurname = weightedPicker(
  SURNAMES.map(([s]) => s),
  SURNAMES.map(([, w]) => w),
)
const maleChars = [...GIVEN_NAME_CHARS_MALE]
const femaleChars = [...GIVEN_NAME_CHARS_FEMALE]
const tradeChars = [...TRADE_NAME_CHARS]

/** A person's name: weighted surname + one or two given-name chars. */
function personName(rng: Rng, female: boolean): string {
  const chars = female ? femaleChars : maleChars
  const surname = pickSurname(rng)
  return rng.chance(0.72) ? surname + rng.pick(chars) + rng.pick(chars) : surname + rng.pick(chars)
}

function mobilePhone(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0')
}

/** A valid ID number for someone registered in a Shenyang district, born within [fromYear, toYear]. */
function idCardFor(rng: Rng, divisionCode: string, fromYear: number, toYear: number, female: boolean): string {
  const year = rng.int(fromYear, toYear)
  const month = rng.int(1, 12)
  const day = rng.int(1, daysInMonth(year, month))
  // Last sequence digit: odd = male, even = female.
  const seq = rng.int(0, 99) * 10 + (female ? rng.int(0, 4) * 2 : rng.int(0, 4) * 2 + 1)
  return makeIdCard({ divisionCode, birth: `${year}${pad2(month)}${pad2(day)}`, sequence3: seq })
}

const pickDistrictForEnterprise = weightedPicker(
  DISTRICTS,
  DISTRICTS.map((d) => d.enterpriseWeight),
)
const pickDistrictByPopulation = weightedPicker(
  DISTRICTS,
  DISTRICTS.map((d) => d.population10k),
)
const enterpriseIndustries = INDUSTRIES.filter((i) => i.weight > 0)
const pickIndustry = weightedPicker(
  enterpriseIndustries,
  enterpriseIndustries.map((i) => i.weight),
)

/** Rounds a capital amount (万元) the way founders do: 1..10 exact, then 5s, 10s, 50s, 100s. */
function roundCapital(x: number): number {
  if (x < 10) return Math.max(1, Math.round(x))
  if (x < 100) return Math.round(x / 5) * 5
  if (x < 1_000) return Math.round(x / 10) * 10
  if (x < 10_000) return Math.round(x / 100) * 100
  return Math.min(500_000, Math.round(x / 1_000) * 1_000)
}

const DIGITS = '0123456789'

const NICE_CAPITALS = [1, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1_000, 2_000, 3_000, 5_000, 10_000]

// ---------------------------------------------------------------------------
// Enterprises.

export interface EnterpriseOptions {
  count: number
}

/** Enterprise registry rows; names and USCCs are unique, USCCs and ID numbers valid. */
export function* generateEnterprises(rng: Rng, opts: EnterpriseOptions): Generator<EnterpriseRow> {
  const names = new Set<string>()
  const usccs = new Set<string>()
  const lastYear = calendarYear(REFERENCE_END_MS)
  // Registrations grow ~9% a year; the current year is counted only up to the reference date.
  const years: number[] = []
  const yearWeights: number[] = []
  for (let y = 1990; y <= lastYear; y++) {
    years.push(y)
    yearWeights.push(Math.pow(1.09, y - 1990) * (y === lastYear ? 10 / 12 : 1))
  }
  const pickYear = weightedPicker(years, yearWeights)

  for (let i = 0; i < opts.count; i++) {
    const district = pickDistrictForEnterprise(rng)
    const industry = pickIndustry(rng)

    const year = pickYear(rng)
    const month = rng.int(1, year === lastYear ? 10 : 12)
    const day = rng.int(1, daysInMonth(year, month))
    const foundedOn = `${year}-${pad2(month)}-${pad2(day)}`

    // Registered capital (万元): log-normal around 100 × industry factor, often a round figure.
    let capital = roundCapital(rng.logNormal(Math.log(100 * industry.capitalFactor), 1.25))
    if (rng.chance(0.45)) {
      let best = NICE_CAPITALS[0] ?? 1
      for (const c of NICE_CAPITALS) if (Math.abs(Math.log(c / capital)) < Math.abs(Math.log(best / capital))) best = c
      capital = best
    }

    const name = enterpriseName(rng, industry, district, capital, names)
    names.add(name)

    // Since the 2015 reform new enterprises get an organisation code starting 'MA';
    // older ones kept their numeric GB 11714 organisation code.
    let uscc: string
    do {
      uscc = makeUscc({
        registrationAuthority: '9',
        orgType: '1',
        divisionCode: district.code,
        orgCodeBody8: year >= 2016 ? 'MA' + rng.chars(USCC_CHARSET, 6) : rng.chars(DIGITS, 8),
      })
    } while (usccs.has(uscc))
    usccs.add(uscc)

    const age = 2026 - year
    const r = rng.next()
    const pCancelled = 0.02 + 0.004 * age
    const pRevoked = 0.005 + 0.0025 * age
    const pAbnormal = age >= 1 ? 0.05 : 0 // 经营异常名录: not in the first year
    const status: EnterpriseStatus =
      r < pCancelled
        ? 'cancelled'
        : r < pCancelled + pRevoked
          ? 'revoked'
          : r < pCancelled + pRevoked + pAbnormal
            ? 'abnormal'
            : 'active'

    const female = rng.chance(0.32)
    // Legal representative: born 1950–2000 and at least 20 at founding; usually registered in the same district.
    const repDistrict = rng.chance(0.7) ? district : pickDistrictByPopulation(rng)
    const legalRepIdCard = idCardFor(rng, repDistrict.code, 1950, Math.max(1950, Math.min(2000, year - 20)), female)

    const road = rng.pick(district.roads)
    const address = `沈阳市${district.zh}${road}${rng.int(1, 399)}号${rng.chance(0.35) ? `${rng.int(1, 30)}层` : ''}`

    yield {
      uscc,
      name,
      legalRepName: personName(rng, female),
      legalRepIdCard,
      legalRepPhone: mobilePhone(rng),
      registeredCapitalWan: capital,
      industry: industry.code,
      districtCode: district.code,
      status,
      foundedOn,
      address,
    }
  }
}

function enterpriseName(rng: Rng, industry: Industry, district: District, capital: number, taken: Set<string>): string {
  for (;;) {
    const trade = rng.pick(tradeChars) + rng.pick(tradeChars)
    if (trade[0] === trade[1]) continue
    const word = rng.pick(industry.nameWords)
    const suffix =
      capital >= 1_000 && rng.chance(0.3) ? COMPANY_SUFFIXES[2] : rng.chance(0.2) ? COMPANY_SUFFIXES[1] : COMPANY_SUFFIXES[0]
    const form = rng.next()
    const name =
      form < 0.7
        ? `沈阳${trade}${word}${suffix}`
        : form < 0.85
          ? `辽宁${trade}${word}${suffix}`
          : form < 0.95
            ? `${trade}（沈阳）${word}${suffix}`
            : `沈阳市${district.zh.slice(0, -1)}${trade}${word}${suffix}`
    if (!taken.has(name)) return name
  }
}

// ---------------------------------------------------------------------------
// Tax credit ratings.

const RATINGS: readonly TaxRating[] = ['A', 'B', 'M', 'C', 'D']
/** Target shares over all ratings: A 15%, B 45%, M 25%, C 10%, D 5%. */
export const TARGET_RATING_SHARES: Readonly<Record<TaxRating, number>> = { A: 0.15, B: 0.45, M: 0.25, C: 0.1, D: 0.05 }
/**
 * Weights for a fresh draw, tilted away from M, C and D so that, after the
 * first-year 'M' rule and the abnormal/revoked lean, the overall shares land
 * near TARGET_RATING_SHARES.
 */
const FRESH_RATING_WEIGHTS: Readonly<Record<TaxRating, number>> = { A: 0.17, B: 0.5, M: 0.21, C: 0.085, D: 0.035 }
const pickRating = weightedPicker(
  RATINGS,
  RATINGS.map((r) => FRESH_RATING_WEIGHTS[r]),
)

/**
 * One rating per enterprise per year it existed in, for the `years` years
 * ending at LAST_RATED_YEAR. Ratings persist year to year; a first-year
 * enterprise is usually 'M'; abnormal and revoked ones lean towards C/D.
 */
export function* generateTaxCreditRatings(
  rng: Rng,
  enterprises: Iterable<Pick<EnterpriseRow, 'uscc' | 'foundedOn' | 'status'>>,
  years: number,
): Generator<TaxCreditRatingRow> {
  const firstYear = LAST_RATED_YEAR - years + 1
  for (const e of enterprises) {
    const founded = Number(e.foundedOn.slice(0, 4))
    let prev: TaxRating | undefined
    for (let year = Math.max(firstYear, founded); year <= LAST_RATED_YEAR; year++) {
      let rating: TaxRating
      if (year === founded && rng.chance(0.5)) rating = 'M'
      else if (prev !== undefined && rng.chance(0.55)) rating = prev
      else if ((e.status === 'abnormal' || e.status === 'revoked') && rng.chance(0.35)) rating = rng.chance(0.5) ? 'C' : 'D'
      else rating = pickRating(rng)
      prev = rating
      yield { uscc: e.uscc, year, rating }
    }
  }
}

// ---------------------------------------------------------------------------
// Road segments and hourly traffic.

/** The parts a road is cut into: 街 run north–south, 路/大道 east–west. */
function roadParts(road: string): readonly string[] {
  return road.endsWith('街') ? ['北段', '中段', '南段'] : ['西段', '中段', '东段']
}

const MAJOR_ROAD_RE = /大街|大路|大道|大马路/

/**
 * `count` road segments, chosen among every (district, road, part) with urban
 * districts weighted heaviest, without replacement. Codes are
 * `SY-<district>-<nnn>`; rows are sorted by code.
 */
export function generateRoadSegments(rng: Rng, count: number): RoadSegmentRow[] {
  const candidates: { district: District; road: string; part: string }[] = []
  for (const district of DISTRICTS)
    for (const road of district.roads) for (const part of roadParts(road)) candidates.push({ district, road, part })
  if (count > candidates.length) throw new RangeError(`at most ${candidates.length} road segments`)
  const weightOf = (c: { district: District }) => (c.district.kind === 'urban' ? 3 : c.district.kind === 'suburban' ? 1.5 : 0.4)
  const pool = [...candidates]
  const perDistrict = new Map<string, number>()
  const segments: RoadSegmentRow[] = []
  while (segments.length < count) {
    const c = rng.weighted(pool, weightOf)
    pool.splice(pool.indexOf(c), 1)
    const n = (perDistrict.get(c.district.code) ?? 0) + 1
    perDistrict.set(c.district.code, n)
    const major = MAJOR_ROAD_RE.test(c.road)
    segments.push({
      code: `SY-${c.district.code}-${String(n).padStart(3, '0')}`,
      name: `${c.road}（${c.part}）`,
      districtCode: c.district.code,
      lanes: major ? rng.pick([6, 6, 8, 8, 10]) : rng.pick([2, 4, 4, 4, 6]),
    })
  }
  segments.sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0))
  return segments
}

interface SegmentModel {
  /** Effective capacity, vehicles per hour (both directions). */
  capacity: number
  freeFlowKmh: number
  /** How busy the segment runs relative to its capacity. */
  busyness: number
}

function segmentModel(rng: Rng, s: RoadSegmentRow): SegmentModel {
  const kind = DISTRICTS.find((d) => d.code === s.districtCode)?.kind ?? 'county'
  const major = MAJOR_ROAD_RE.test(s.name)
  return {
    capacity: s.lanes * (kind === 'county' ? 650 : 850),
    freeFlowKmh: major ? (kind === 'county' ? 60 : 55) : kind === 'county' ? 45 : 40,
    busyness: (kind === 'county' ? 0.45 : kind === 'suburban' ? 0.7 : 0.85) * rng.float(0.85, 1.1),
  }
}

// Share of capacity used at each local hour.
const WEEKDAY_PROFILE = [
  0.08, 0.05, 0.04, 0.04, 0.06, 0.18, 0.45, 0.88, 1.0, 0.72, 0.6, 0.62, 0.64, 0.6, 0.6, 0.64, 0.75, 0.95, 0.92, 0.7, 0.5, 0.38,
  0.26, 0.15,
]
const WEEKEND_PROFILE = [
  0.12, 0.08, 0.05, 0.04, 0.04, 0.08, 0.16, 0.28, 0.42, 0.55, 0.63, 0.66, 0.64, 0.62, 0.63, 0.65, 0.66, 0.64, 0.6, 0.52, 0.44,
  0.36, 0.28, 0.18,
]

/** National Day golden week (Oct 1–7 local): flows like a quiet weekend. */
function isGoldenWeek(local: LocalParts): boolean {
  return local.month === 10 && local.day <= 7
}

/**
 * Hourly flows per segment for `days` days ending at REFERENCE_END_MS:
 * weekday morning and evening peaks, flatter and lower weekends, and speed
 * falling as volume approaches capacity.
 */
export function* generateTrafficFlows(rng: Rng, segments: readonly RoadSegmentRow[], days: number): Generator<TrafficFlowRow> {
  const start = REFERENCE_END_MS - days * DAY_MS
  for (const segment of segments) {
    // Each segment draws from its own stream: its flows do not depend on the other segments.
    const r = rng.fork(segment.code)
    const s = segmentModel(r, segment)
    let drift = 1 // slowly wandering day-level factor (events, weather)
    for (let h = 0; h < days * 24; h++) {
      const hourStart = start + h * HOUR_MS
      const local = localParts(hourStart)
      const localHour = local.hour
      if (localHour === 0) drift = Math.min(1.15, Math.max(0.85, drift + r.normal(0, 0.04)))
      const dow = local.weekday
      const holiday = isGoldenWeek(local)
      const weekend = dow === 0 || dow === 6
      const profile = (weekend || holiday ? WEEKEND_PROFILE : WEEKDAY_PROFILE)[localHour] ?? 0.5
      const dayFactor = holiday ? 0.78 : weekend ? 0.82 : dow === 5 ? 1.04 : 1
      const load = Math.max(0.01, profile * dayFactor * s.busyness * drift * (1 + r.normal(0, 0.07)))
      const vehicles = Math.max(0, Math.round(s.capacity * load))
      const ratio = vehicles / s.capacity
      const speed = s.freeFlowKmh * (1 - 0.75 * Math.pow(Math.min(ratio, 1.1), 2.5)) + r.normal(0, 1.5)
      yield {
        segmentCode: segment.code,
        hourStart,
        vehicles,
        avgSpeedKmh: Math.max(5, Math.min(s.freeFlowKmh + 8, Math.round(speed))),
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Health: hospital visits and medical insurance per district per month.

/** Seasonal factor for outpatient activity, by calendar month (Jan = index 0). Flu peaks in winter, Spring Festival dip. */
const HEALTH_SEASON = [1.1, 0.84, 1.05, 1.01, 0.98, 0.96, 0.95, 0.96, 1.0, 0.93, 1.04, 1.12]

export function* generateHospitalVisits(rng: Rng, months: number): Generator<HospitalVisitRow> {
  const list = monthsEndingAt(REFERENCE_MONTH, months)
  for (const d of DISTRICTS) {
    const level = rng.float(0.92, 1.08)
    for (let i = 0; i < list.length; i++) {
      const month = list[i] ?? REFERENCE_MONTH
      const season = HEALTH_SEASON[Number(month.slice(5, 7)) - 1] ?? 1
      const growth = Math.pow(1.03, (i - list.length + 1) / 12)
      const base = d.population10k * 10_000 * d.hospitalDraw * level * season * growth
      const outpatientVisits = Math.round(((base * 5.4) / 12) * (1 + rng.normal(0, 0.025)))
      const inpatientAdmissions = Math.round(((base * 0.17) / 12) * (1 + rng.normal(0, 0.03)))
      const emergencyVisits = Math.round(outpatientVisits * rng.float(0.065, 0.085) * (season > 1.05 ? 1.1 : 1))
      yield { districtCode: d.code, month, outpatientVisits, inpatientAdmissions, emergencyVisits }
    }
  }
}

export function* generateMedicalInsurance(rng: Rng, months: number): Generator<MedicalInsuranceRow> {
  const list = monthsEndingAt(REFERENCE_MONTH, months)
  for (const d of DISTRICTS) {
    const coverage = rng.float(0.93, 0.975)
    const avgClaimFen = rng.int(36_000, 46_000) * (d.kind === 'urban' ? 1.1 : 0.9)
    let insured = Math.round(d.population10k * 10_000 * coverage * (1 - 0.002 * list.length))
    for (const month of list) {
      insured = Math.round(insured * (1 + rng.normal(0.0015, 0.001)))
      const season = HEALTH_SEASON[Number(month.slice(5, 7)) - 1] ?? 1
      const claims = Math.round(insured * 0.34 * season * (1 + rng.normal(0, 0.03)))
      const claimAmountFen = Math.round(claims * avgClaimFen * (1 + rng.normal(0, 0.04)))
      const fundPaidFen = Math.round(claimAmountFen * rng.float(0.62, 0.72))
      yield { districtCode: d.code, month, insuredPersons: insured, claims, claimAmountFen, fundPaidFen }
    }
  }
}

// ---------------------------------------------------------------------------
// Social security contributions.

/**
 * Monthly pension / medical / unemployment contributions of `persons` people
 * over `months` months ending at REFERENCE_MONTH. Employers are active
 * enterprises founded before the window (larger ones employ more). Some people
 * join or leave during the window and a few change employer; bases rise ~4%
 * each July.
 */
export function* generateSocialSecurity(
  rng: Rng,
  enterprises: readonly Pick<EnterpriseRow, 'uscc' | 'status' | 'registeredCapitalWan' | 'foundedOn'>[],
  persons: number,
  months: number,
): Generator<SocialSecurityRow> {
  const list = monthsEndingAt(REFERENCE_MONTH, months)
  const firstMonth = list[0] ?? REFERENCE_MONTH
  const employers = enterprises.filter((e) => e.status === 'active' && e.foundedOn.slice(0, 7) < firstMonth)
  if (employers.length === 0) throw new RangeError('no active employer enterprises')
  const pickEmployer = weightedPicker(
    employers,
    employers.map((e) => Math.sqrt(e.registeredCapitalWan)),
  )
  const ids = new Set<string>()
  for (let p = 0; p < persons; p++) {
    const female = rng.chance(0.47)
    const district = pickDistrictByPopulation(rng)
    let idCard: string
    do idCard = idCardFor(rng, district.code, 1966, 2004, female)
    while (ids.has(idCard))
    ids.add(idCard)
    const name = personName(rng, female)

    let employer = pickEmployer(rng).uscc
    const wage = rng.logNormal(Math.log(6_500_00), 0.45)
    let baseFen = Math.round(Math.min(BASE_CAP_FEN, Math.max(BASE_FLOOR_FEN, wage)) / 100) * 100
    const startIdx = rng.chance(0.1) ? rng.int(1, Math.max(1, list.length - 1)) : 0
    const endIdx = rng.chance(0.06) ? rng.int(startIdx, list.length - 1) : list.length - 1
    const switchIdx = rng.chance(0.04) ? rng.int(startIdx, endIdx) : -1

    for (let i = startIdx; i <= endIdx; i++) {
      const month = list[i] ?? REFERENCE_MONTH
      if (i === switchIdx) employer = pickEmployer(rng).uscc
      if (i > startIdx && month.endsWith('-07')) baseFen = Math.min(BASE_CAP_FEN, Math.round((baseFen * 1.04) / 100) * 100)
      for (const insuranceType of INSURANCE_TYPES_GENERATED) {
        yield {
          idCard,
          personName: name,
          employerUscc: employer,
          month,
          insuranceType,
          baseFen,
          amountFen: Math.round(baseFen * CONTRIBUTION_RATES[insuranceType]),
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The whole city.

export interface CityData {
  enterprises: EnterpriseRow[]
  taxCreditRatings: TaxCreditRatingRow[]
  roadSegments: RoadSegmentRow[]
  trafficFlows: TrafficFlowRow[]
  hospitalVisits: HospitalVisitRow[]
  medicalInsurance: MedicalInsuranceRow[]
  socialSecurity: SocialSecurityRow[]
}

export type CityTable = keyof CityData

export function resolveScale(scale: ScaleName | ScaleSpec): ScaleSpec {
  return typeof scale === 'string' ? SCALES[scale] : scale
}

/** Enterprises alone (the other tables are derived per table from the seed). */
export function generateEnterpriseRows(scale: ScaleName | ScaleSpec, seed = DEFAULT_SEED): EnterpriseRow[] {
  return [...generateEnterprises(createRng(seed).fork('enterprises'), { count: resolveScale(scale).enterprises })]
}

/**
 * All tables for a scale, deterministically from `seed`. Rows are plain arrays;
 * use `chunks()` to batch them.
 */
export function generateCity(scale: ScaleName | ScaleSpec, seed = DEFAULT_SEED): CityData {
  const spec = resolveScale(scale)
  const root = createRng(seed)
  const enterprises = [...generateEnterprises(root.fork('enterprises'), { count: spec.enterprises })]
  const roadSegments = generateRoadSegments(root.fork('road-segments'), spec.roadSegments)
  return {
    enterprises,
    taxCreditRatings: [...generateTaxCreditRatings(root.fork('tax'), enterprises, spec.taxYears)],
    roadSegments,
    trafficFlows: [...generateTrafficFlows(root.fork('traffic'), roadSegments, spec.trafficDays)],
    hospitalVisits: [...generateHospitalVisits(root.fork('hospital'), spec.statsMonths)],
    medicalInsurance: [...generateMedicalInsurance(root.fork('medical-insurance'), spec.statsMonths)],
    socialSecurity: [
      ...generateSocialSecurity(root.fork('social-security'), enterprises, spec.persons, spec.socialSecurityMonths),
    ],
  }
}

/** Splits rows into consecutive arrays of at most `size`. */
export function* chunks<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  if (!(size >= 1)) throw new RangeError(`chunk size ${size}`)
  let chunk: T[] = []
  for (const row of rows) {
    chunk.push(row)
    if (chunk.length >= size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}
