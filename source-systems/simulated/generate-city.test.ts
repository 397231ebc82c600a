import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isValidIdCard } from '#platform/codes/id-card.ts'
import { explainUscc, isValidUscc } from '#platform/codes/uscc.ts'
import {
  CONTRIBUTION_RATES,
  LAST_RATED_YEAR,
  REFERENCE_END_MS,
  SCALES,
  TARGET_RATING_SHARES,
  chunks,
  generateCity,
  generateEnterpriseRows,
  generateTaxCreditRatings,
  monthsEndingAt,
  type CityData,
  type TrafficFlowRow,
} from './generate-city.ts'
import { createRng } from './random.ts'
import { localParts, shiftMonth } from '#platform/calendar/shanghai-calendar.ts'
import { DISTRICT_CODES, INDUSTRY_BY_CODE, isShenyangDistrict } from '#platform/reference-data/shenyang.ts'
import { MOBILE_RE } from './name-lists.ts'

const digest = (data: unknown) => createHash('sha256').update(JSON.stringify(data)).digest('hex')
const localHour = (ms: number) => localParts(ms).hour
const localDow = (ms: number) => localParts(ms).weekday
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

// One small city shared by the read-only checks below.
const small: CityData = generateCity('small', 'test-seed')

describe('random', () => {
  it('is a pure function of the seed', () => {
    const a = createRng('x')
    const b = createRng('x')
    const c = createRng('y')
    const sa = Array.from({ length: 50 }, () => a.uint32())
    expect(Array.from({ length: 50 }, () => b.uint32())).toEqual(sa)
    expect(Array.from({ length: 50 }, () => c.uint32())).not.toEqual(sa)
  })
  it('keeps int() within bounds, hits both ends, and forks independently', () => {
    const r = createRng('bounds')
    const seen = new Set<number>()
    for (let i = 0; i < 5000; i++) {
      const v = r.int(3, 7)
      expect(v).toBeGreaterThanOrEqual(3)
      expect(v).toBeLessThanOrEqual(7)
      seen.add(v)
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7])
    const before = createRng('p')
    before.fork('child')
    expect(before.uint32()).toBe(createRng('p').uint32())
  })
  it('weighted() follows the weights and normal() is centred', () => {
    const r = createRng('w')
    let heavy = 0
    for (let i = 0; i < 10_000; i++) if (r.weighted(['a', 'b'], (x) => (x === 'a' ? 9 : 1)) === 'a') heavy++
    expect(heavy / 10_000).toBeGreaterThan(0.87)
    expect(heavy / 10_000).toBeLessThan(0.93)
    const xs = Array.from({ length: 10_000 }, () => r.normal(10, 2))
    expect(Math.abs(mean(xs) - 10)).toBeLessThan(0.1)
    expect(() => r.pick([])).toThrow()
  })
})

describe('generateCity determinism', () => {
  it('gives byte-identical output for the same seed and scale', () => {
    const again = generateCity('small', 'test-seed')
    expect(digest(again)).toBe(digest(small))
  })
  it('gives different output for a different seed', () => {
    const other = generateCity('small', 'another-seed')
    expect(digest(other)).not.toBe(digest(small))
    expect(other.enterprises[0]?.uscc).not.toBe(small.enterprises[0]?.uscc)
  })
  it("keeps tables independent: resizing one table does not reshuffle another's rows", () => {
    const other = generateCity({ ...SCALES.small, persons: 10, statsMonths: 2 }, 'test-seed')
    expect(other.socialSecurity.length).toBeLessThan(small.socialSecurity.length)
    expect(digest(other.enterprises)).toBe(digest(small.enterprises))
    expect(digest(other.taxCreditRatings)).toBe(digest(small.taxCreditRatings))
    expect(digest(other.trafficFlows)).toBe(digest(small.trafficFlows))
  })
})

describe('small scale', () => {
  it('has the configured counts', () => {
    const s = SCALES.small
    expect(small.enterprises).toHaveLength(s.enterprises)
    expect(small.roadSegments).toHaveLength(s.roadSegments)
    expect(small.trafficFlows).toHaveLength(s.roadSegments * s.trafficDays * 24)
    expect(small.hospitalVisits).toHaveLength(13 * s.statsMonths)
    expect(small.medicalInsurance).toHaveLength(13 * s.statsMonths)
    const persons = new Set(small.socialSecurity.map((r) => r.idCard))
    expect(persons.size).toBe(s.persons)
    expect(small.socialSecurity.length).toBeLessThanOrEqual(s.persons * s.socialSecurityMonths * 3)
    expect(small.socialSecurity.length).toBeGreaterThan(s.persons * s.socialSecurityMonths * 3 * 0.8)
  })
})

describe('enterprises', () => {
  it('have valid, unique USCCs registered in a Shenyang district (matching district_code)', () => {
    const usccs = new Set<string>()
    for (const e of small.enterprises) {
      const x = explainUscc(e.uscc)
      expect(x.valid, e.uscc).toBe(true)
      expect(x.organizationCodeValid, e.uscc).toBe(true)
      expect(x.registrationAuthority).toBe('9')
      expect(x.orgType).toBe('1')
      expect(x.divisionCode).toBe(e.districtCode)
      usccs.add(e.uscc)
    }
    expect(usccs.size).toBe(small.enterprises.length)
  })
  it('have unique names and Shenyang district codes', () => {
    expect(new Set(small.enterprises.map((e) => e.name)).size).toBe(small.enterprises.length)
    for (const e of small.enterprises) expect(DISTRICT_CODES).toContain(e.districtCode)
    // Every district is represented, urban ones more than counties.
    const byDistrict = new Map<string, number>()
    for (const e of small.enterprises) byDistrict.set(e.districtCode, (byDistrict.get(e.districtCode) ?? 0) + 1)
    expect(byDistrict.size).toBe(13)
    expect(byDistrict.get('210102') ?? 0).toBeGreaterThan(byDistrict.get('210123') ?? 0)
  })
  it('have legal representatives with valid Shenyang ID numbers, born 1950–2000 and adult at founding', () => {
    for (const e of small.enterprises) {
      expect(isValidIdCard(e.legalRepIdCard), e.legalRepIdCard).toBe(true)
      expect(isShenyangDistrict(e.legalRepIdCard.slice(0, 6))).toBe(true)
      const born = Number(e.legalRepIdCard.slice(6, 10))
      expect(born).toBeGreaterThanOrEqual(1950)
      expect(born).toBeLessThanOrEqual(2000)
      expect(born).toBeLessThanOrEqual(Math.max(1950, Number(e.foundedOn.slice(0, 4)) - 20))
      expect(e.legalRepPhone).toMatch(MOBILE_RE)
      expect(e.legalRepName).toMatch(/^[\u4e00-\u9fa5]{2,3}$/)
    }
  })
  it('have plausible fields: dates 1990–2026-10, GB/T 4754 sections, positive capital, mostly active', () => {
    for (const e of small.enterprises) {
      expect(e.foundedOn >= '1990-01-01' && e.foundedOn <= '2026-10-31', e.foundedOn).toBe(true)
      expect(new Date(e.foundedOn + 'T00:00:00Z').toISOString().slice(0, 10)).toBe(e.foundedOn)
      expect(INDUSTRY_BY_CODE.get(e.industry)?.weight ?? 0).toBeGreaterThan(0)
      expect(Number.isInteger(e.registeredCapitalWan) && e.registeredCapitalWan >= 1).toBe(true)
      expect(e.address.startsWith('沈阳市')).toBe(true)
      expect(e.name).toMatch(/(有限公司|有限责任公司|股份有限公司)$/)
    }
    const active = small.enterprises.filter((e) => e.status === 'active').length
    expect(active / small.enterprises.length).toBeGreaterThan(0.75)
    const caps = small.enterprises.map((e) => e.registeredCapitalWan).sort((a, b) => a - b)
    const median = caps[caps.length >> 1] ?? 0
    expect(median).toBeGreaterThanOrEqual(30)
    expect(median).toBeLessThanOrEqual(300)
    expect(caps[caps.length - 1] ?? 0).toBeGreaterThan(median * 20) // a long right tail
  })
})

describe('tax credit ratings', () => {
  it('cover only the last years in which each enterprise existed, once per year', () => {
    const founded = new Map(small.enterprises.map((e) => [e.uscc, Number(e.foundedOn.slice(0, 4))]))
    const keys = new Set<string>()
    for (const r of small.taxCreditRatings) {
      expect(r.year).toBeGreaterThanOrEqual(LAST_RATED_YEAR - SCALES.small.taxYears + 1)
      expect(r.year).toBeLessThanOrEqual(LAST_RATED_YEAR)
      expect(r.year).toBeGreaterThanOrEqual(founded.get(r.uscc) ?? Infinity)
      keys.add(`${r.uscc}/${r.year}`)
    }
    expect(keys.size).toBe(small.taxCreditRatings.length)
    const expected = small.enterprises.reduce(
      (n, e) => n + Math.max(0, LAST_RATED_YEAR - Math.max(LAST_RATED_YEAR - 2, Number(e.foundedOn.slice(0, 4))) + 1),
      0,
    )
    expect(small.taxCreditRatings.length).toBe(expected)
  })
  it('are skewed like A 15%, B 45%, M 25%, C 10%, D 5% (±4 points)', () => {
    const enterprises = generateEnterpriseRows('city', 'ratings')
    const ratings = [...generateTaxCreditRatings(createRng('ratings/tax'), enterprises, 3)]
    const share = (x: string) => ratings.filter((r) => r.rating === x).length / ratings.length
    for (const [rating, target] of Object.entries(TARGET_RATING_SHARES)) {
      expect(Math.abs(share(rating) - target), rating).toBeLessThan(0.04)
    }
  })
})

describe('traffic', () => {
  it('has one row per segment and hour, on hour boundaries, ending at the reference time', () => {
    const codes = new Set(small.roadSegments.map((s) => s.code))
    const start = REFERENCE_END_MS - SCALES.small.trafficDays * 86_400_000
    const keys = new Set<string>()
    for (const f of small.trafficFlows) {
      expect(codes.has(f.segmentCode)).toBe(true)
      expect(f.hourStart % 3_600_000).toBe(0)
      expect(f.hourStart).toBeGreaterThanOrEqual(start)
      expect(f.hourStart).toBeLessThan(REFERENCE_END_MS)
      expect(Number.isInteger(f.vehicles) && f.vehicles >= 0).toBe(true)
      keys.add(`${f.segmentCode}@${f.hourStart}`)
    }
    expect(keys.size).toBe(small.trafficFlows.length)
    for (const s of small.roadSegments) {
      expect(isShenyangDistrict(s.districtCode)).toBe(true)
      expect(s.code.startsWith(`SY-${s.districtCode}-`)).toBe(true)
      expect(s.lanes).toBeGreaterThanOrEqual(2)
    }
  })
  it('peaks in the weekday rush hours, dips at night and at weekends', () => {
    const weekday = small.trafficFlows.filter((f) => localDow(f.hourStart) >= 1 && localDow(f.hourStart) <= 5)
    const weekend = small.trafficFlows.filter((f) => localDow(f.hourStart) === 0 || localDow(f.hourStart) === 6)
    const at = (rows: TrafficFlowRow[], h: number) =>
      mean(rows.filter((f) => localHour(f.hourStart) === h).map((f) => f.vehicles))
    expect(at(weekday, 8)).toBeGreaterThan(at(weekday, 3) * 5)
    expect(at(weekday, 8)).toBeGreaterThan(at(weekday, 11) * 1.2)
    expect(at(weekday, 17)).toBeGreaterThan(at(weekday, 14) * 1.2)
    expect(at(weekend, 8)).toBeLessThan(at(weekday, 8) * 0.6)
    expect(mean(weekend.map((f) => f.vehicles))).toBeLessThan(mean(weekday.map((f) => f.vehicles)))
  })
  it('slows down as volume rises (negative correlation on every segment)', () => {
    for (const s of small.roadSegments) {
      const rows = small.trafficFlows.filter((f) => f.segmentCode === s.code)
      const mv = mean(rows.map((r) => r.vehicles))
      const ms = mean(rows.map((r) => r.avgSpeedKmh))
      let cov = 0
      let vv = 0
      let ss = 0
      for (const r of rows) {
        cov += (r.vehicles - mv) * (r.avgSpeedKmh - ms)
        vv += (r.vehicles - mv) ** 2
        ss += (r.avgSpeedKmh - ms) ** 2
      }
      expect(cov / Math.sqrt(vv * ss), s.code).toBeLessThan(-0.5)
    }
  })
})

describe('health statistics', () => {
  it('cover every district for each month ending 2026-10, with consistent figures', () => {
    const months = monthsEndingAt('2026-10', SCALES.small.statsMonths)
    expect(months[0]).toBe('2025-11')
    for (const table of [small.hospitalVisits, small.medicalInsurance]) {
      const keys = new Set(table.map((r) => `${r.districtCode}/${r.month}`))
      expect(keys.size).toBe(13 * months.length)
      for (const d of DISTRICT_CODES) for (const m of months) expect(keys.has(`${d}/${m}`)).toBe(true)
    }
    for (const v of small.hospitalVisits) {
      expect(v.outpatientVisits).toBeGreaterThan(v.emergencyVisits)
      expect(v.outpatientVisits).toBeGreaterThan(v.inpatientAdmissions)
      expect(v.inpatientAdmissions).toBeGreaterThan(0)
    }
    for (const m of small.medicalInsurance) {
      expect(Number.isSafeInteger(m.claimAmountFen)).toBe(true)
      expect(m.fundPaidFen).toBeLessThan(m.claimAmountFen)
      expect(m.fundPaidFen).toBeGreaterThan(m.claimAmountFen * 0.5)
      expect(m.claims).toBeLessThan(m.insuredPersons)
    }
  })
  it('shiftMonth crosses year boundaries both ways', () => {
    expect(shiftMonth('2026-10', -10)).toBe('2025-12')
    expect(shiftMonth('2025-12', 1)).toBe('2026-01')
    expect(shiftMonth('2026-01', -13)).toBe('2024-12')
  })
})

describe('social security', () => {
  it('has unique (person, month, type) rows with valid IDs, active employers and consistent amounts', () => {
    const active = new Set(small.enterprises.filter((e) => e.status === 'active').map((e) => e.uscc))
    const months = new Set(monthsEndingAt('2026-10', SCALES.small.socialSecurityMonths))
    const keys = new Set<string>()
    const nameOf = new Map<string, string>()
    for (const r of small.socialSecurity) {
      expect(isValidIdCard(r.idCard), r.idCard).toBe(true)
      expect(isShenyangDistrict(r.idCard.slice(0, 6))).toBe(true)
      expect(active.has(r.employerUscc)).toBe(true)
      expect(months.has(r.month)).toBe(true)
      expect(r.amountFen).toBe(Math.round(r.baseFen * CONTRIBUTION_RATES[r.insuranceType as keyof typeof CONTRIBUTION_RATES]))
      expect(nameOf.get(r.idCard) ?? r.personName).toBe(r.personName)
      nameOf.set(r.idCard, r.personName)
      keys.add(`${r.idCard}/${r.month}/${r.insuranceType}`)
    }
    expect(keys.size).toBe(small.socialSecurity.length)
  })
})

describe('city scale', () => {
  it('has at least 50,000 enterprises, all with valid, unique USCCs and names', () => {
    expect(SCALES.city.enterprises).toBeGreaterThanOrEqual(50_000)
    const rows = generateEnterpriseRows('city')
    expect(rows.length).toBeGreaterThanOrEqual(50_000)
    expect(new Set(rows.map((e) => e.uscc)).size).toBe(rows.length)
    expect(new Set(rows.map((e) => e.name)).size).toBe(rows.length)
    expect(rows.every((e) => isValidUscc(e.uscc) && isValidIdCard(e.legalRepIdCard))).toBe(true)
  })
  it('generates the whole city quickly and stays under ~400k rows', () => {
    const started = performance.now()
    const city = generateCity('city')
    const ms = performance.now() - started
    const total = Object.values(city).reduce((n, rows: unknown[]) => n + rows.length, 0)
    expect(city.trafficFlows).toHaveLength(80 * 60 * 24)
    expect(city.hospitalVisits).toHaveLength(13 * 24)
    expect(total).toBeLessThan(400_000)
    expect(ms).toBeLessThan(10_000)
  })
})

describe('chunks', () => {
  it('splits into consecutive arrays of at most the size', () => {
    expect([...chunks([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]])
    expect([...chunks([], 3)]).toEqual([])
    expect(() => [...chunks([1], 0)]).toThrow(RangeError)
  })
})
