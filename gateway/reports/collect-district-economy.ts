import { and, eq, gte, inArray, lt, sql, type Table } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  cityEnterprises,
  cityHospitalVisits,
  cityMedicalInsurance,
  cityRoadSegments,
  cityTaxCreditRatings,
  cityTrafficFlows,
  type SensitivityLevel,
} from '#db/schema/index.ts'
import { DISTRICT_BY_CODE, INDUSTRY_BY_CODE, type District } from '#platform/reference-data/shenyang.ts'
import { checkOutput, MIN_GROUP_SIZE } from '#catalog/output-rules/output-rules.ts'
import { suppressSmallGroups } from '#catalog/output-rules/suppress-small-groups.ts'
import type { ProductDatasets } from '../products/dataset-rules.ts'
import type { ReportPeriod } from './report-period.ts'

/** One figure of the report. `value` null = withheld (it describes fewer than k units). */
export interface ReportRow {
  labelZh: string
  labelEn: string
  value: number | null
  unit: 'count' | 'wan_yuan' | 'fen' | 'persons' | 'vehicles' | 'km_h' | 'visits' | 'claims' | 'segments'
}

export interface ReportSection {
  key: 'enterprises' | 'tax_credit' | 'hospital_visits' | 'medical_insurance' | 'traffic'
  titleZh: string
  titleEn: string
  datasetCode: string
  level: SensitivityLevel
  rows: ReportRow[]
  /** Figures withheld because they describe fewer than k units. */
  suppressed: number
  noteZh?: string
  noteEn?: string
}

export interface DistrictEconomyReport {
  district: District
  period: ReportPeriod
  generatedAt: number
  k: number
  sections: ReportSection[]
}

type SectionKey = ReportSection['key']
/** Each section is shaped by the level of the report product's dataset stored in the table its figures count. */
const SECTIONS: { key: SectionKey; table: Table; titleZh: string; titleEn: string }[] = [
  { key: 'enterprises', table: cityEnterprises, titleZh: '市场主体', titleEn: 'Enterprises' },
  { key: 'tax_credit', table: cityTaxCreditRatings, titleZh: '纳税信用', titleEn: 'Tax credit' },
  { key: 'hospital_visits', table: cityHospitalVisits, titleZh: '医疗服务', titleEn: 'Hospital visits' },
  { key: 'medical_insurance', table: cityMedicalInsurance, titleZh: '医保结算', titleEn: 'Medical insurance' },
  { key: 'traffic', table: cityTrafficFlows, titleZh: '道路交通', titleEn: 'Road traffic' },
]
export const REPORT_SECTION_COUNT = SECTIONS.length

interface Figure extends ReportRow {
  /** The units the figure describes (enterprises, visits, claims, vehicles): below k it is withheld. */
  units: number
}

/**
 * Every figure of the district economic report, each an aggregate shaped by its dataset's level: a figure over
 * fewer than k = 10 units is withheld, a dataset whose level forbids aggregates (L4) is left out. Reads the city
 * store only; calls `onSection` after each section (for the job's progress).
 */
export async function collectDistrictEconomy(
  db: Db,
  opts: {
    district: District
    period: ReportPeriod
    /** The report product's datasets (product_datasets), with their current levels. */
    datasets: ProductDatasets
    now: number
    onSection?: (done: number) => Promise<void>
  },
): Promise<DistrictEconomyReport> {
  const { district, period } = opts
  const sections: ReportSection[] = []
  for (const [i, s] of SECTIONS.entries()) {
    const dataset = opts.datasets.require(s.table)
    const level = dataset.level
    const base = { key: s.key, titleZh: s.titleZh, titleEn: s.titleEn, datasetCode: dataset.code, level }
    const allowed = checkOutput(level, 'aggregate')
    if (!allowed.ok) {
      sections.push({
        ...base,
        rows: [],
        suppressed: 0,
        noteZh: `${level} 级数据仅可输出核验结论或评分，本节不予披露。`,
        noteEn: `${level} data leaves the platform only as verdicts or scores; section withheld.`,
      })
    } else {
      const { figures, noteZh, noteEn } = await FIGURES[s.key](db, district, period)
      const kept = suppressSmallGroups(level, figures, (f) => f.units, { k: MIN_GROUP_SIZE })
      if (!kept.ok) throw new Error(kept.error.message)
      const keptSet = new Set(kept.value.groups)
      const rows = figures.map(({ units: _units, ...row }, j) => (keptSet.has(figures[j]!) ? row : { ...row, value: null }))
      sections.push({ ...base, rows, suppressed: kept.value.suppressed, noteZh, noteEn })
    }
    await opts.onSection?.(i + 1)
  }
  return { district, period, generatedAt: opts.now, k: MIN_GROUP_SIZE, sections }
}

type FigureBuilder = (
  db: Db,
  district: District,
  period: ReportPeriod,
) => Promise<{ figures: Figure[]; noteZh?: string; noteEn?: string }>

const n = (x: unknown) => Number(x ?? 0)

const FIGURES: Record<SectionKey, FigureBuilder> = {
  async enterprises(db, district, period) {
    const e = cityEnterprises
    const [totals] = await db
      .select({
        registered: sql<number>`count(*)`,
        active: sql<number>`sum(case when ${e.status} = 'active' then 1 else 0 end)`,
        activeCapital: sql<number>`sum(case when ${e.status} = 'active' then ${e.registeredCapitalWan} else 0 end)`,
        newInPeriod: sql<number>`sum(case when ${e.foundedOn} >= ${period.startDate} then 1 else 0 end)`,
      })
      .from(e)
      .where(and(eq(e.districtCode, district.code), lt(e.foundedOn, period.endDate)))
    const byIndustry = await db
      .select({ industry: e.industry, count: sql<number>`count(*)`, capital: sql<number>`sum(${e.registeredCapitalWan})` })
      .from(e)
      .where(and(eq(e.districtCode, district.code), lt(e.foundedOn, period.endDate), eq(e.status, 'active')))
      .groupBy(e.industry)
      .orderBy(e.industry)
    const figures: Figure[] = [
      {
        labelZh: '期末登记企业数',
        labelEn: 'Enterprises registered by the end of the period',
        value: n(totals?.registered),
        unit: 'count',
        units: n(totals?.registered),
      },
      {
        labelZh: '其中：在营企业数',
        labelEn: 'of which active',
        value: n(totals?.active),
        unit: 'count',
        units: n(totals?.active),
      },
      {
        labelZh: '本期新设企业数',
        labelEn: 'Enterprises founded in the period',
        value: n(totals?.newInPeriod),
        unit: 'count',
        units: n(totals?.newInPeriod),
      },
      {
        labelZh: '在营企业注册资本合计',
        labelEn: 'Registered capital of active enterprises',
        value: n(totals?.activeCapital),
        unit: 'wan_yuan',
        units: n(totals?.active),
      },
    ]
    for (const row of byIndustry) {
      const industry = INDUSTRY_BY_CODE.get(row.industry)
      figures.push({
        labelZh: `在营企业数 · ${industry?.zh ?? row.industry}`,
        labelEn: `Active enterprises · ${industry?.en ?? row.industry}`,
        value: n(row.count),
        unit: 'count',
        units: n(row.count),
      })
    }
    return { figures, noteZh: '登记状态为当前状态。', noteEn: 'Registration status as of today.' }
  },

  async tax_credit(db, district, period) {
    const t = cityTaxCreditRatings
    const [latest] = await db
      .select({ year: sql<number | null>`max(${t.year})` })
      .from(t)
      .where(lt(t.year, period.year + 1))
    const year = latest?.year ?? null
    if (year === null) return { figures: [], noteZh: '本期无纳税信用评价。', noteEn: 'No tax credit ratings for the period.' }
    const rows = await db
      .select({ rating: t.rating, count: sql<number>`count(*)` })
      .from(t)
      .innerJoin(cityEnterprises, eq(cityEnterprises.uscc, t.uscc))
      .where(and(eq(t.year, year), eq(cityEnterprises.districtCode, district.code)))
      .groupBy(t.rating)
    const count = new Map(rows.map((r) => [r.rating, n(r.count)]))
    const figures: Figure[] = (['A', 'B', 'M', 'C', 'D'] as const).map((rating) => ({
      labelZh: `${year}年度 ${rating} 级企业数`,
      labelEn: `Enterprises rated ${rating} for ${year}`,
      value: count.get(rating) ?? 0,
      unit: 'count',
      units: count.get(rating) ?? 0,
    }))
    return {
      figures,
      noteZh: `纳税信用评价年度：${year}（L3 数据，仅输出分组统计）。`,
      noteEn: `Rating year ${year} (L3 data: group counts only).`,
    }
  },

  async hospital_visits(db, district, period) {
    const h = cityHospitalVisits
    const [row] = await db
      .select({
        months: sql<number>`count(*)`,
        outpatient: sql<number>`sum(${h.outpatientVisits})`,
        inpatient: sql<number>`sum(${h.inpatientAdmissions})`,
        emergency: sql<number>`sum(${h.emergencyVisits})`,
      })
      .from(h)
      .where(and(eq(h.districtCode, district.code), inArray(h.month, period.months)))
    const months = n(row?.months)
    const figures: Figure[] = [
      { labelZh: '门诊人次', labelEn: 'Outpatient visits', value: n(row?.outpatient), unit: 'visits', units: n(row?.outpatient) },
      {
        labelZh: '住院人次',
        labelEn: 'Inpatient admissions',
        value: n(row?.inpatient),
        unit: 'visits',
        units: n(row?.inpatient),
      },
      { labelZh: '急诊人次', labelEn: 'Emergency visits', value: n(row?.emergency), unit: 'visits', units: n(row?.emergency) },
    ]
    return {
      figures,
      noteZh: `统计月数：${months}/${period.months.length}。`,
      noteEn: `Months with data: ${months} of ${period.months.length}.`,
    }
  },

  async medical_insurance(db, district, period) {
    const m = cityMedicalInsurance
    const [row] = await db
      .select({
        months: sql<number>`count(*)`,
        insured: sql<number>`avg(${m.insuredPersons})`,
        claims: sql<number>`sum(${m.claims})`,
        amount: sql<number>`sum(${m.claimAmountFen})`,
        fund: sql<number>`sum(${m.fundPaidFen})`,
      })
      .from(m)
      .where(and(eq(m.districtCode, district.code), inArray(m.month, period.months)))
    const claims = n(row?.claims)
    const months = n(row?.months)
    const figures: Figure[] = [
      {
        labelZh: '月均参保人数',
        labelEn: 'Insured persons (monthly mean)',
        value: Math.round(n(row?.insured)),
        unit: 'persons',
        units: Math.round(n(row?.insured)),
      },
      { labelZh: '医保结算笔数', labelEn: 'Settled claims', value: claims, unit: 'claims', units: claims },
      { labelZh: '医疗费用总额', labelEn: 'Claimed amount', value: n(row?.amount), unit: 'fen', units: claims },
      { labelZh: '统筹基金支付', labelEn: 'Paid by the pooled fund', value: n(row?.fund), unit: 'fen', units: claims },
    ]
    return {
      figures,
      noteZh: `统计月数：${months}/${period.months.length}（L3 数据，仅输出汇总）。`,
      noteEn: `Months with data: ${months} of ${period.months.length} (L3 data: totals only).`,
    }
  },

  async traffic(db, district, period) {
    const segments = await db
      .select()
      .from(cityRoadSegments)
      .where(eq(cityRoadSegments.districtCode, district.code))
      .orderBy(cityRoadSegments.code)
    const f = cityTrafficFlows
    const flows = await db
      .select({
        segment: f.segmentCode,
        hours: sql<number>`count(*)`,
        vehicles: sql<number>`sum(${f.vehicles})`,
        speed: sql<number>`sum(${f.avgSpeedKmh} * ${f.vehicles}) * 1.0 / nullif(sum(${f.vehicles}), 0)`,
      })
      .from(f)
      .innerJoin(cityRoadSegments, eq(cityRoadSegments.code, f.segmentCode))
      .where(
        and(eq(cityRoadSegments.districtCode, district.code), gte(f.hourStart, period.startMs), lt(f.hourStart, period.endMs)),
      )
      .groupBy(f.segmentCode)
    const bySegment = new Map(flows.map((x) => [x.segment, x]))
    const figures: Figure[] = [
      {
        labelZh: '监测路段数',
        labelEn: 'Monitored road segments',
        value: segments.length,
        unit: 'segments',
        units: Number.POSITIVE_INFINITY,
      },
    ]
    let hours = 0
    for (const s of segments) {
      const x = bySegment.get(s.code)
      if (!x) continue
      hours += n(x.hours)
      figures.push({
        labelZh: `${s.name} 车流量合计`,
        labelEn: `${s.code} vehicles`,
        value: n(x.vehicles),
        unit: 'vehicles',
        units: n(x.vehicles),
      })
      figures.push({
        labelZh: `${s.name} 平均车速`,
        labelEn: `${s.code} mean speed`,
        value: Math.round(n(x.speed) * 10) / 10,
        unit: 'km_h',
        units: n(x.vehicles),
      })
    }
    return {
      figures,
      noteZh: `本期有流量数据的小时数：${hours}。`,
      noteEn: `Segment-hours with flow data in the period: ${hours}.`,
    }
  },
}

export function districtOrNull(code: string): District | null {
  return DISTRICT_BY_CODE.get(code) ?? null
}
