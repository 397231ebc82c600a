import type { Role } from '#db/schema/index.ts'

// The seeded city's organisations, accounts and the skeleton product. Same
// data every time; the demo password is printed by `npm start` in demo mode only.

export const DEMO_PASSWORD = 'Demo@2026!'
export const DEMO_API_KEY_BODY = 'DemoKeyShenyangPublicData2026xyz'

export const SOURCE_UNITS = [
  { code: 'market-regulation', nameZh: '沈阳市市场监督管理局', nameEn: 'Shenyang Administration for Market Regulation' },
  { code: 'tax', nameZh: '国家税务总局沈阳市税务局', nameEn: 'Shenyang Municipal Tax Service' },
  { code: 'transport', nameZh: '沈阳市交通运输局', nameEn: 'Shenyang Transportation Bureau' },
  { code: 'health-commission', nameZh: '沈阳市卫生健康委员会', nameEn: 'Shenyang Health Commission' },
  { code: 'medical-insurance', nameZh: '沈阳市医疗保障局', nameEn: 'Shenyang Healthcare Security Administration' },
  { code: 'hrss', nameZh: '沈阳市人力资源和社会保障局', nameEn: 'Shenyang Human Resources and Social Security Bureau' },
] as const

type Field = { name: string; labelZh: string; type: 'string' | 'integer' | 'number' | 'date' | 'datetime'; piTag?: 'name' | 'id_card' | 'phone' | 'address' | 'uscc' }

/** Each seeded dataset's fields; names are the columns of its store table. */
export const DATASET_FIELDS: Record<string, Field[]> = {
  'DS-SCJG-0001': [
    { name: 'uscc', labelZh: '统一社会信用代码', type: 'string', piTag: 'uscc' },
    { name: 'name', labelZh: '企业名称', type: 'string' },
    { name: 'legal_rep_name', labelZh: '法定代表人', type: 'string', piTag: 'name' },
    { name: 'legal_rep_id_card', labelZh: '法定代表人身份证号', type: 'string', piTag: 'id_card' },
    { name: 'legal_rep_phone', labelZh: '联系电话', type: 'string', piTag: 'phone' },
    { name: 'registered_capital_wan', labelZh: '注册资本（万元）', type: 'integer' },
    { name: 'industry', labelZh: '行业门类', type: 'string' },
    { name: 'district_code', labelZh: '所属区县', type: 'string' },
    { name: 'status', labelZh: '登记状态', type: 'string' },
    { name: 'founded_on', labelZh: '成立日期', type: 'date' },
    { name: 'address', labelZh: '住所', type: 'string', piTag: 'address' },
  ],
  'DS-SW-0001': [
    { name: 'uscc', labelZh: '统一社会信用代码', type: 'string', piTag: 'uscc' },
    { name: 'year', labelZh: '评价年度', type: 'integer' },
    { name: 'rating', labelZh: '纳税信用级别', type: 'string' },
  ],
  'DS-JT-0001': [
    { name: 'segment_code', labelZh: '路段编码', type: 'string' },
    { name: 'hour_start', labelZh: '小时起点', type: 'datetime' },
    { name: 'vehicles', labelZh: '车流量', type: 'integer' },
    { name: 'avg_speed_kmh', labelZh: '平均车速', type: 'integer' },
  ],
  'DS-WJ-0001': [
    { name: 'district_code', labelZh: '区县', type: 'string' },
    { name: 'month', labelZh: '月份', type: 'string' },
    { name: 'outpatient_visits', labelZh: '门诊人次', type: 'integer' },
    { name: 'inpatient_admissions', labelZh: '住院人次', type: 'integer' },
    { name: 'emergency_visits', labelZh: '急诊人次', type: 'integer' },
  ],
  'DS-YB-0001': [
    { name: 'district_code', labelZh: '区县', type: 'string' },
    { name: 'month', labelZh: '月份', type: 'string' },
    { name: 'insured_persons', labelZh: '参保人数', type: 'integer' },
    { name: 'claims', labelZh: '结算笔数', type: 'integer' },
    { name: 'claim_amount_fen', labelZh: '结算金额（分）', type: 'integer' },
    { name: 'fund_paid_fen', labelZh: '统筹支付（分）', type: 'integer' },
  ],
  'DS-RS-0001': [
    { name: 'id_card', labelZh: '身份证号', type: 'string', piTag: 'id_card' },
    { name: 'person_name', labelZh: '姓名', type: 'string', piTag: 'name' },
    { name: 'employer_uscc', labelZh: '单位统一社会信用代码', type: 'string', piTag: 'uscc' },
    { name: 'month', labelZh: '费款所属期', type: 'string' },
    { name: 'insurance_type', labelZh: '险种', type: 'string' },
    { name: 'base_fen', labelZh: '缴费基数（分）', type: 'integer' },
    { name: 'amount_fen', labelZh: '缴费金额（分）', type: 'integer' },
  ],
}

export const PLANS = [
  { code: 'trial', nameZh: '试用', nameEn: 'Trial', rateLimitPerMinute: 60, monthlyQuota: 1_000, distinctSubjectsPerDay: 100 },
  { code: 'standard', nameZh: '标准', nameEn: 'Standard', rateLimitPerMinute: 600, monthlyQuota: 100_000, distinctSubjectsPerDay: 1_000 },
  { code: 'enterprise', nameZh: '企业', nameEn: 'Enterprise', rateLimitPerMinute: 6_000, monthlyQuota: null, distinctSubjectsPerDay: 10_000 },
] as const

export const DATASETS = [
  { code: 'DS-SCJG-0001', registrationCode: 'SYSJ-DS-2026-0001', updateFrequency: 'daily', sourceUnit: 'market-regulation', nameZh: '企业登记信息', nameEn: 'Enterprise registry', domain: 'market', level: 'L2', deliveryMode: 'table', storeTable: 'city_enterprises' },
  { code: 'DS-SW-0001', registrationCode: 'SYSJ-DS-2026-0002', updateFrequency: 'yearly', sourceUnit: 'tax', nameZh: '纳税信用等级', nameEn: 'Tax credit ratings', domain: 'credit', level: 'L3', deliveryMode: 'table', storeTable: 'city_tax_credit_ratings' },
  { code: 'DS-JT-0001', registrationCode: 'SYSJ-DS-2026-0003', updateFrequency: 'hourly', sourceUnit: 'transport', nameZh: '道路小时交通流量', nameEn: 'Hourly road traffic flows', domain: 'transport', level: 'L1', deliveryMode: 'interface', storeTable: 'city_traffic_flows' },
  { code: 'DS-WJ-0001', registrationCode: 'SYSJ-DS-2026-0004', updateFrequency: 'monthly', sourceUnit: 'health-commission', nameZh: '医院就诊统计', nameEn: 'Hospital visit statistics', domain: 'health', level: 'L2', deliveryMode: 'file', storeTable: 'city_hospital_visits' },
  { code: 'DS-YB-0001', registrationCode: 'SYSJ-DS-2026-0005', updateFrequency: 'monthly', sourceUnit: 'medical-insurance', nameZh: '医保结算统计', nameEn: 'Medical-insurance statistics', domain: 'medical', level: 'L3', deliveryMode: 'table', storeTable: 'city_medical_insurance' },
  { code: 'DS-RS-0001', registrationCode: 'SYSJ-DS-2026-0006', updateFrequency: 'monthly', sourceUnit: 'hrss', nameZh: '社会保险缴费记录', nameEn: 'Social-security contributions', domain: 'employment', level: 'L4', deliveryMode: 'table', storeTable: 'city_social_security' },
] as const

export const PRODUCTS = [
  {
    code: 'verify-enterprise-identity',
    registrationCode: 'SYGD-CP-2026-0001',
    nameZh: '企业身份核验',
    nameEn: 'Enterprise identity verification',
    descriptionZh: '核验统一社会信用代码与企业名称是否一致，仅返回核验结论，不返回登记信息。',
    descriptionEn: 'Checks that a unified social credit code belongs to an enterprise of the given name. Returns only the verdict.',
    form: 'verification',
    level: 'L2',
    domain: 'market',
    apiPath: 'POST /api/v1/verifications/enterprise',
    exampleRequest: '{"uscc":"91210102MA0QW8R76J","name":"沈阳盛京智能科技有限公司"}',
    exampleResponse: '{"match":true}',
    datasets: ['DS-SCJG-0001'],
  },
] as const

export const PARTNERS = [
  { code: 'shengjing-tech', name: '沈阳盛京智能科技有限公司', kind: 'legal_person', usccDivision: '210112' },
  { code: 'huimin-service', name: '沈阳惠民公益服务中心', kind: 'unincorporated_org', usccDivision: '210103' },
  { code: 'zhang-wei', name: '张伟', kind: 'natural_person', usccDivision: null },
] as const

export interface DemoUser {
  username: string
  displayName: string
  role: Role
  sourceUnit?: string
  partner?: string
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'bureau', displayName: '市数据局 李审核', role: 'bureau' },
  { username: 'operator', displayName: '运营单位 王运营', role: 'operator' },
  { username: 'scjg', displayName: '市场监管局 赵数据', role: 'source_unit', sourceUnit: 'market-regulation' },
  { username: 'partner.admin', displayName: '盛京智能 陈管理', role: 'partner_admin', partner: 'shengjing-tech' },
  { username: 'partner.dev', displayName: '盛京智能 刘开发', role: 'partner_developer', partner: 'shengjing-tech' },
]

export const DEMO_SUBSCRIPTIONS = [
  { partner: 'shengjing-tech', product: 'verify-enterprise-identity', purpose: 'industrial', state: 'active', planCode: 'standard' },
] as const
