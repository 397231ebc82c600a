import type { Role } from '#db/schema/index.ts'
import { formatIso, fromLocal } from '#platform/calendar/shanghai-calendar.ts'

// The seeded city's organisations, accounts and the skeleton product. Same data every time, except the demo
// accounts' passwords and the demo API key: random per install (demo-credentials.ts), never in the code.

export const SOURCE_UNITS = [
  { code: 'market-regulation', nameZh: '沈阳市市场监督管理局', nameEn: 'Shenyang Administration for Market Regulation' },
  { code: 'tax', nameZh: '国家税务总局沈阳市税务局', nameEn: 'Shenyang Municipal Tax Service' },
  { code: 'transport', nameZh: '沈阳市交通运输局', nameEn: 'Shenyang Transportation Bureau' },
  { code: 'health-commission', nameZh: '沈阳市卫生健康委员会', nameEn: 'Shenyang Health Commission' },
  { code: 'medical-insurance', nameZh: '沈阳市医疗保障局', nameEn: 'Shenyang Healthcare Security Administration' },
  { code: 'hrss', nameZh: '沈阳市人力资源和社会保障局', nameEn: 'Shenyang Human Resources and Social Security Bureau' },
] as const

type Field = {
  name: string
  labelZh: string
  type: 'string' | 'integer' | 'number' | 'date' | 'datetime'
  piTag?: 'name' | 'id_card' | 'phone' | 'address' | 'uscc'
}

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
  {
    code: 'trial',
    nameZh: '试用',
    nameEn: 'Trial',
    rateLimitPerMinute: 60,
    monthlyQuota: 1_000,
    distinctSubjectsPerDay: 100,
    allowsImmediateChange: false,
  },
  {
    code: 'standard',
    nameZh: '标准',
    nameEn: 'Standard',
    rateLimitPerMinute: 600,
    monthlyQuota: 100_000,
    distinctSubjectsPerDay: 1_000,
    allowsImmediateChange: false,
  },
  {
    code: 'enterprise',
    nameZh: '企业',
    nameEn: 'Enterprise',
    rateLimitPerMinute: 6_000,
    monthlyQuota: null,
    distinctSubjectsPerDay: 10_000,
    // An upgrade to the largest plan may take effect at once (ADR 0032).
    allowsImmediateChange: true,
  },
] as const

export const DATASETS = [
  {
    code: 'DS-SCJG-0001',
    registrationCode: 'SYSJ-DS-2026-0001',
    updateFrequency: 'daily',
    sourceUnit: 'market-regulation',
    nameZh: '企业登记信息',
    nameEn: 'Enterprise registry',
    domain: 'market',
    level: 'L2',
    deliveryMode: 'table',
    storeTable: 'city_enterprises',
  },
  {
    code: 'DS-SW-0001',
    registrationCode: 'SYSJ-DS-2026-0002',
    updateFrequency: 'yearly',
    sourceUnit: 'tax',
    nameZh: '纳税信用等级',
    nameEn: 'Tax credit ratings',
    domain: 'credit',
    level: 'L3',
    deliveryMode: 'table',
    storeTable: 'city_tax_credit_ratings',
  },
  {
    code: 'DS-JT-0001',
    registrationCode: 'SYSJ-DS-2026-0003',
    updateFrequency: 'hourly',
    sourceUnit: 'transport',
    nameZh: '道路小时交通流量',
    nameEn: 'Hourly road traffic flows',
    domain: 'transport',
    level: 'L1',
    deliveryMode: 'interface',
    storeTable: 'city_traffic_flows',
  },
  {
    code: 'DS-WJ-0001',
    registrationCode: 'SYSJ-DS-2026-0004',
    updateFrequency: 'monthly',
    sourceUnit: 'health-commission',
    nameZh: '医院就诊统计',
    nameEn: 'Hospital visit statistics',
    domain: 'health',
    level: 'L2',
    deliveryMode: 'file',
    storeTable: 'city_hospital_visits',
  },
  {
    code: 'DS-YB-0001',
    registrationCode: 'SYSJ-DS-2026-0005',
    updateFrequency: 'monthly',
    sourceUnit: 'medical-insurance',
    nameZh: '医保结算统计',
    nameEn: 'Medical-insurance statistics',
    domain: 'medical',
    level: 'L3',
    deliveryMode: 'table',
    storeTable: 'city_medical_insurance',
  },
  {
    code: 'DS-RS-0001',
    registrationCode: 'SYSJ-DS-2026-0006',
    updateFrequency: 'monthly',
    sourceUnit: 'hrss',
    nameZh: '社会保险缴费记录',
    nameEn: 'Social-security contributions',
    domain: 'employment',
    level: 'L4',
    deliveryMode: 'table',
    storeTable: 'city_social_security',
  },
] as const

/**
 * The published products of the gateway (gateway/products/), one or more per form, each with the operation that
 * serves it (api-specs/openapi.yaml) and the datasets it draws on; `level` is the highest of theirs. The examples
 * use enterprises and road segments of the seeded city (the same at every seed scale).
 */
export const PRODUCTS = [
  {
    code: 'verify-enterprise-identity',
    registrationCode: 'SYGD-CP-2026-0001',
    nameZh: '企业身份核验',
    nameEn: 'Enterprise identity verification',
    descriptionZh: '核验统一社会信用代码与企业名称是否一致，仅返回核验结论，不返回登记信息。',
    descriptionEn:
      'Checks that a unified social credit code belongs to an enterprise of the given name. Returns only the verdict.',
    form: 'verification',
    level: 'L2',
    domain: 'market',
    apiPath: 'POST /api/v1/verifications/enterprise',
    exampleRequest: '{"uscc":"91210112MA8F2QDJ5T","name":"沈阳升峰广告有限责任公司"}',
    exampleResponse: '{"match":true}',
    datasets: ['DS-SCJG-0001'],
  },
  {
    code: 'verify-legal-representative',
    registrationCode: 'SYGD-CP-2026-0002',
    nameZh: '法定代表人核验',
    nameEn: 'Legal-representative check',
    descriptionZh: '核验某人（姓名与身份证号）是否为企业登记的法定代表人，仅返回核验结论。每个密钥每日核验的不同企业数受限。',
    descriptionEn:
      'Checks that a person (name and ID number) is the registered legal representative of an enterprise. Verdict only; distinct enterprises per key per day are limited.',
    form: 'verification',
    level: 'L2',
    domain: 'market',
    apiPath: 'POST /api/v1/verifications/legal-representative',
    exampleRequest: '{"uscc":"91210112MA8F2QDJ5T","personName":"张三","idNumber":"210102198001011232"}',
    exampleResponse: '{"match":false}',
    datasets: ['DS-SCJG-0001'],
  },
  {
    code: 'enterprise-credit-profile',
    registrationCode: 'SYGD-CP-2026-0003',
    nameZh: '企业信用画像',
    nameEn: 'Enterprise credit profile',
    descriptionZh: '企业登记信息（个人信息按 L2 规则脱敏）与纳税信用等级区间（L3，仅输出结论，不输出评价记录）。',
    descriptionEn:
      'Registry record with personal fields masked (L2) and a tax-credit band and standing verdict (L3: never the ratings).',
    form: 'service',
    level: 'L3',
    domain: 'credit',
    apiPath: 'GET /api/v1/services/enterprise-credit-profile/{uscc}',
    exampleRequest: '{"uscc":"91210106331171648E"}',
    exampleResponse:
      '{"uscc":"91210106**********","name":"沈阳和锦物业管理有限公司","status":"active","industry":{"code":"K","nameZh":"房地产业","nameEn":"Real estate"},"district":{"code":"210106","nameZh":"铁西区","nameEn":"Tiexi"},"foundedOn":"2006-04-12","registeredCapitalWan":220,"legalRepresentative":{"name":"李*","idNumber":"210106********6682","phone":"188****9143"},"address":"沈阳市铁西区","taxCredit":{"band":"high","latestYear":2025,"goodStanding":true},"disclosure":{"registryLevel":"L2","taxCreditLevel":"L3","fieldsMasked":5}}',
    datasets: ['DS-SCJG-0001', 'DS-SW-0001'],
  },
  {
    code: 'road-traffic-flow',
    registrationCode: 'SYGD-CP-2026-0004',
    nameZh: '路段交通流量服务',
    nameEn: 'Road-segment traffic flow',
    descriptionZh: '按小时或按日查询路段车流量与平均车速（按小时最长 7 天，按日最长 92 天）。',
    descriptionEn: 'Vehicles and mean speed of a road segment per hour or per day (at most 7 days hourly, 92 days daily).',
    form: 'service',
    level: 'L1',
    domain: 'transport',
    apiPath: 'GET /api/v1/services/traffic-flow/{segment}',
    exampleRequest: '{"segment":"SY-210102-001","from":"2026-10-29","to":"2026-10-31","granularity":"day"}',
    exampleResponse: JSON.stringify({
      segment: { code: 'SY-210102-001', name: '和平大街（北段）', districtCode: '210102', lanes: 10 },
      granularity: 'day',
      from: formatIso(fromLocal(2026, 10, 29)),
      to: formatIso(fromLocal(2026, 10, 31)),
      timeZone: 'Asia/Shanghai',
      points: [
        { start: formatIso(fromLocal(2026, 10, 29)), vehicles: 89645, avgSpeedKmh: 39.5, hours: 24 },
        { start: formatIso(fromLocal(2026, 10, 30)), vehicles: 93746, avgSpeedKmh: 38.1, hours: 24 },
      ],
    }),
    datasets: ['DS-JT-0001'],
  },
  {
    code: 'enterprise-credit-score',
    registrationCode: 'SYGD-CP-2026-0005',
    nameZh: '企业信用评分模型',
    nameEn: 'Enterprise credit score',
    descriptionZh:
      '在平台内以登记状态、成立年限、注册资本、纳税信用与社保缴纳计算 0–1000 分的信用评分、等级与主要因素，输入数据不出平台。',
    descriptionEn:
      'A 0–1000 score with band and main factors, computed inside the platform from registry, tax-credit and social-security data; the inputs never leave.',
    form: 'model',
    level: 'L4',
    domain: 'credit',
    apiPath: 'POST /api/v1/models/enterprise-credit-score/score',
    exampleRequest: '{"uscc":"91210106331171648E"}',
    exampleResponse:
      '{"score":826,"band":"excellent","factors":[{"code":"registry_status","impact":"positive","weight":0.25},{"code":"registry_age","impact":"positive","weight":0.2},{"code":"tax_credit","impact":"positive","weight":0.25}],"modelVersion":"ecs-2026.1"}',
    datasets: ['DS-SCJG-0001', 'DS-SW-0001', 'DS-RS-0001'],
  },
  {
    code: 'aggregate-query',
    registrationCode: 'SYGD-CP-2026-0006',
    nameZh: '统计查询组件',
    nameEn: 'Aggregate query component',
    descriptionZh: '对企业、就诊、医保视图按区县、行业、月份分组计数、求和、求平均；少于 10 个单位的分组不予输出，从不返回明细。',
    descriptionEn:
      'Count, sum and average over enterprise, hospital-visit and medical-insurance views by district, industry and month; groups under 10 units withheld, never rows.',
    form: 'component',
    level: 'L3',
    domain: 'other',
    apiPath: 'POST /api/v1/components/{view}/query',
    exampleRequest:
      '{"view":"enterprises","groupBy":["district"],"metrics":[{"op":"count"},{"op":"avg","field":"registered_capital_wan"}]}',
    exampleResponse:
      '{"view":"enterprises","unit":"enterprises","k":10,"groups":[{"district":"210102","values":{"count":270,"avg_registered_capital_wan":287.85}},{"district":"210103","values":{"count":243,"avg_registered_capital_wan":236.28}}],"suppressedGroups":0}',
    datasets: ['DS-SCJG-0001', 'DS-WJ-0001', 'DS-YB-0001'],
  },
  {
    code: 'address-standardize',
    registrationCode: 'SYGD-CP-2026-0007',
    nameZh: '地址标准化工具',
    nameEn: 'Address standardisation',
    descriptionZh: '将沈阳地址规范为“沈阳市＋区县＋街路＋门牌号”，并给出区县行政区划代码。',
    descriptionEn: 'Rewrites a Shenyang address as city + district + street + number, with the district code.',
    form: 'tool',
    level: 'L1',
    domain: 'other',
    apiPath: 'POST /api/v1/tools/address-standardize',
    exampleRequest: '{"address":"沈阳 和平 青年大街１００号"}',
    exampleResponse:
      '{"standardized":"沈阳市和平区青年大街100号","district":{"code":"210102","nameZh":"和平区","nameEn":"Heping"},"street":"青年大街","houseNumber":"100","matchedBy":"district","candidates":[]}',
    datasets: [],
  },
  {
    code: 'uscc-validate',
    registrationCode: 'SYGD-CP-2026-0008',
    nameZh: '统一社会信用代码校验工具',
    nameEn: 'USCC validation',
    descriptionZh: '按 GB 32100-2015 校验统一社会信用代码的长度、字符集与校验码，并解析其组成部分。',
    descriptionEn: 'Checks a unified social credit code against GB 32100-2015 and explains its parts.',
    form: 'tool',
    level: 'L1',
    domain: 'market',
    apiPath: 'POST /api/v1/tools/uscc-validate',
    exampleRequest: '{"uscc":"91210102MA0QW8R76J"}',
    exampleResponse:
      '{"valid":true,"normalized":"91210102MA0QW8R76J","parts":{"registrationAuthority":"9","orgType":"1","divisionCode":"210102","organizationCode":"MA0QW8R76","organizationCodeValid":true,"checkChar":"J","expectedCheckChar":"J"},"division":{"code":"210102","inShenyang":true,"nameZh":"和平区"}}',
    datasets: [],
  },
  {
    code: 'district-economy-report',
    registrationCode: 'SYGD-CP-2026-0009',
    nameZh: '区县经济运行报告',
    nameEn: 'District economic report',
    descriptionZh:
      '按区县与期间（年、季、月）生成经济运行报告（PDF 或 CSV），仅含汇总统计；通过导出任务生成，下载按导出字节计量。',
    descriptionEn:
      'An economic report per district and period (year, quarter, month) as PDF or CSV, aggregates only; built by an export job, the download metered in export bytes.',
    form: 'report',
    level: 'L3',
    domain: 'market',
    apiPath: 'POST /api/v1/reports/district-economy/exports',
    exampleRequest: '{"district":"210106","period":"2026-Q3","format":"pdf"}',
    exampleResponse:
      '{"id":"0b6f1c9e-8d47-4c1a-9a55-3f2e6c1d7a10","state":"queued","progress":0,"format":"pdf","district":"210106","period":"2026-Q3","createdAt":"2026-11-28T09:30:00.000Z","completedAt":null,"bytes":null,"error":null,"links":{"self":"/api/v1/reports/district-economy/exports/0b6f1c9e-8d47-4c1a-9a55-3f2e6c1d7a10","download":"/api/v1/reports/district-economy/exports/0b6f1c9e-8d47-4c1a-9a55-3f2e6c1d7a10/download"}}',
    datasets: ['DS-SCJG-0001', 'DS-SW-0001', 'DS-JT-0001', 'DS-WJ-0001', 'DS-YB-0001'],
  },
  {
    code: 'data-sandbox',
    registrationCode: 'SYGD-CP-2026-0010',
    nameZh: '数据沙箱',
    nameEn: 'Data sandbox',
    descriptionZh:
      '在平台内对授权数据集做声明式统计分析（筛选、分组、聚合、按登记键关联），只输出通过披露控制的汇总结果：最小分组、优势规则、差分攻击防护与可选差分隐私（ε 预算）；按计算时长计费。',
    descriptionEn:
      'Declarative analysis inside the platform over authorized datasets (filters, group-by, aggregates, joins on their keys); only aggregates that pass disclosure control leave: minimum group size, dominance, differencing protection and optional differential privacy (an ε budget). Compute time is billed.',
    form: 'component',
    level: 'L3',
    domain: 'other',
    apiPath: 'POST /api/v1/sandbox/jobs',
    exampleRequest:
      '{"from": "DS-SCJG-0001", "join": [{"dataset": "DS-SW-0001", "on": "uscc"}], "filters": [{"field": "DS-SW-0001.year", "op": "eq", "value": 2025}], "groupBy": ["DS-SCJG-0001.district_code", "DS-SW-0001.rating"], "aggregates": [{"fn": "count_subjects"}, {"fn": "avg", "field": "DS-SCJG-0001.registered_capital_wan"}]}',
    exampleResponse:
      '{"jobId": "6f1c0b9e-8d47-4c1a-9a55-3f2e6c1d7a10", "k": 20, "level": "L3", "unit": {"zh": "家企业", "en": "enterprises"}, "groupBy": ["DS-SCJG-0001.district_code", "DS-SW-0001.rating"], "aggregates": ["count_subjects", "avg:DS-SCJG-0001.registered_capital_wan"], "groups": [{"key": {"DS-SCJG-0001.district_code": "210102", "DS-SW-0001.rating": "A"}, "values": {"count_subjects": 61, "avg:DS-SCJG-0001.registered_capital_wan": 301.4}}, {"key": {"DS-SCJG-0001.district_code": "210102", "DS-SW-0001.rating": "B"}, "values": {"count_subjects": 132, "avg:DS-SCJG-0001.registered_capital_wan": null}, "suppressed": {"avg:DS-SCJG-0001.registered_capital_wan": "dominance"}}], "disclosure": {"groupsSuppressed": 9, "cellsSuppressed": 1, "noise": null}, "budget": {"period": "2026-11", "epsilon": 5, "spent": 0, "remaining": 5, "renewsAt": "2026-11-30T16:00:00.000Z"}, "computeMs": 184}',
    datasets: ['DS-SCJG-0001', 'DS-SW-0001', 'DS-WJ-0001', 'DS-YB-0001'],
  },
] as const

/**
 * What a product lets out of a dataset when its form would say otherwise (ADR 0037): the credit profile, a service,
 * gives only a verdict over the tax ratings.
 */
export const PRODUCT_DATASET_OUTPUTS: Readonly<
  Record<string, Readonly<Record<string, 'record' | 'aggregate' | 'verdict' | 'score'>>>
> = {
  'enterprise-credit-profile': { 'DS-SW-0001': 'verdict' },
}

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
  /** A third party's organisation (the auditor's firm). */
  organization?: string
  /** A fixed-term account: its term ends this many calendar months after the seed ran (ADR 0026). */
  termMonths?: number
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'bureau', displayName: '市数据局 李审核', role: 'bureau' },
  { username: 'operator', displayName: '运营单位 王运营', role: 'operator' },
  { username: 'scjg', displayName: '市场监管局 赵数据', role: 'source_unit', sourceUnit: 'market-regulation' },
  { username: 'partner.admin', displayName: '盛京智能 陈管理', role: 'partner_admin', partner: 'shengjing-tech' },
  { username: 'partner.dev', displayName: '盛京智能 刘开发', role: 'partner_developer', partner: 'shengjing-tech' },
  {
    username: 'auditor',
    displayName: '致诚审计 孙审计',
    role: 'auditor',
    organization: '辽宁致诚会计师事务所',
    termMonths: 12,
  },
]

/**
 * The demo partner subscribes to every product (industrial, active at once); the public-welfare centre has asked
 * for two with a public-interest purpose, pending the bureau's approval (Art. 21).
 */
export const DEMO_SUBSCRIPTIONS: readonly {
  partner: string
  product: (typeof PRODUCTS)[number]['code']
  purpose: 'industrial' | 'public_interest'
  purposeStatement?: string
  /** The application scenario (应用场景, ADR 0032). */
  scenario: string
  expectedMonthlyVolume?: number
  state: 'active' | 'pending'
  planCode: string
}[] = [
  ...PRODUCTS.map((p) => ({
    partner: 'shengjing-tech',
    product: p.code,
    purpose: 'industrial' as const,
    scenario: `盛京科技的商业服务中调用「${p.nameZh}」（产业用途）。`,
    expectedMonthlyVolume: 20_000,
    state: 'active' as const,
    planCode: 'standard',
  })),
  {
    partner: 'huimin-service',
    product: 'road-traffic-flow',
    purpose: 'public_interest',
    purposeStatement: '为视障人士出行服务提供主要道路拥堵提示（公益服务场景）。',
    scenario: '视障人士出行服务：主要道路拥堵提示（公益）。',
    expectedMonthlyVolume: 3_000,
    state: 'pending',
    planCode: 'standard',
  },
  {
    partner: 'huimin-service',
    product: 'aggregate-query',
    purpose: 'public_interest',
    purposeStatement: '统计各区县就诊与医保结算情况，用于社区健康公益项目选点（公共治理与公益服务场景）。',
    scenario: '社区健康公益项目选点：各区县就诊与医保结算统计（公益）。',
    expectedMonthlyVolume: 500,
    state: 'pending',
    planCode: 'standard',
  },
]
