// Shenyang's reference data: real divisions (GB/T 2260 codes) with their streets and roads, and GB/T 4754-2017
// industry sections, read by the products, masking, reports and the simulated city. Weights and populations are
// round, approximate figures used only to shape the simulated distributions; they are not official statistics.

export interface District {
  /** GB/T 2260 six-digit code. */
  code: string
  zh: string
  en: string
  kind: 'urban' | 'suburban' | 'county'
  /** Relative weight for where enterprises register (urban districts heavier). */
  enterpriseWeight: number
  /** Approximate resident population, in 万 (10,000) persons. */
  population10k: number
  /** How strongly hospitals in the district draw patients (big hospitals concentrate downtown). */
  hospitalDraw: number
  /**
   * Road names in the district. Shenyang convention: a 街 runs north–south, a 路 east–west.
   * Downtown names are real; county-seat names are common real ones but less certain.
   */
  roads: readonly string[]
}

export const SHENYANG_CITY_CODE = '210100'

export const DISTRICTS: readonly District[] = [
  {
    code: '210102',
    zh: '和平区',
    en: 'Heping',
    kind: 'urban',
    enterpriseWeight: 12,
    population10k: 65,
    hospitalDraw: 2.4,
    roads: ['青年大街', '太原街', '中华路', '中山路', '南京街', '三好街', '和平大街', '南五马路', '文化路', '砂山街'],
  },
  {
    code: '210103',
    zh: '沈河区',
    en: 'Shenhe',
    kind: 'urban',
    enterpriseWeight: 11,
    population10k: 76,
    hospitalDraw: 1.7,
    roads: ['青年大街', '北京街', '中街路', '市府大路', '大南街', '正阳街', '朝阳街', '北站路', '文艺路', '东陵路'],
  },
  {
    code: '210104',
    zh: '大东区',
    en: 'Dadong',
    kind: 'urban',
    enterpriseWeight: 7,
    population10k: 90,
    hospitalDraw: 1.0,
    roads: ['东北大马路', '大东路', '小东路', '北海街', '联合路', '津桥路', '东望街', '善邻路'],
  },
  {
    code: '210105',
    zh: '皇姑区',
    en: 'Huanggu',
    kind: 'urban',
    enterpriseWeight: 8,
    population10k: 85,
    hospitalDraw: 1.5,
    roads: ['北陵大街', '黄河北大街', '黄河南大街', '崇山中路', '长江街', '昆山中路', '华山路', '岐山路', '宁山路', '泰山路'],
  },
  {
    code: '210106',
    zh: '铁西区',
    en: 'Tiexi',
    kind: 'urban',
    enterpriseWeight: 13,
    population10k: 127,
    hospitalDraw: 1.0,
    roads: ['建设大路', '兴华街', '北二路', '沈辽路', '卫工街', '保工街', '重工街', '云峰街', '启工街', '肇工街'],
  },
  {
    code: '210111',
    zh: '苏家屯区',
    en: 'Sujiatun',
    kind: 'suburban',
    enterpriseWeight: 4,
    population10k: 44,
    hospitalDraw: 0.7,
    roads: ['枫杨路', '雪松路', '迎春街', '海丰路', '香杨路'],
  },
  {
    code: '210112',
    zh: '浑南区',
    en: 'Hunnan',
    kind: 'suburban',
    enterpriseWeight: 14,
    population10k: 55,
    hospitalDraw: 0.9,
    roads: ['浑南大道', '全运路', '创新路', '世纪路', '营盘北街', '三义街', '沈中大街', '金卡路', '智慧大街'],
  },
  {
    code: '210113',
    zh: '沈北新区',
    en: 'Shenbei New District',
    kind: 'suburban',
    enterpriseWeight: 5,
    population10k: 58,
    hospitalDraw: 0.6,
    roads: ['蒲河路', '道义南大街', '沈北路', '辉山大街', '裕农路', '正良路'],
  },
  {
    code: '210114',
    zh: '于洪区',
    en: 'Yuhong',
    kind: 'suburban',
    enterpriseWeight: 7,
    population10k: 90,
    hospitalDraw: 0.7,
    roads: ['黄海路', '洪湖北街', '鸭绿江东街', '太湖街', '吉力湖街', '沈新路'],
  },
  {
    code: '210115',
    zh: '辽中区',
    en: 'Liaozhong',
    kind: 'county',
    enterpriseWeight: 2.5,
    population10k: 45,
    hospitalDraw: 0.6,
    roads: ['蒲东街', '蒲西街', '新华街', '人民路'],
  },
  {
    code: '210123',
    zh: '康平县',
    en: 'Kangping County',
    kind: 'county',
    enterpriseWeight: 1.2,
    population10k: 30,
    hospitalDraw: 0.6,
    roads: ['人民路', '康平大街', '卧龙湖大街', '新华街'],
  },
  {
    code: '210124',
    zh: '法库县',
    en: 'Faku County',
    kind: 'county',
    enterpriseWeight: 1.5,
    population10k: 37,
    hospitalDraw: 0.6,
    roads: ['人民路', '辽河大街', '和平街', '财湖路'],
  },
  {
    code: '210181',
    zh: '新民市',
    en: 'Xinmin',
    kind: 'county',
    enterpriseWeight: 2.5,
    population10k: 56,
    hospitalDraw: 0.6,
    roads: ['人民路', '辽河大街', '民主街', '新柳街'],
  },
]

export const DISTRICT_CODES: readonly string[] = DISTRICTS.map((d) => d.code)

export const DISTRICT_BY_CODE: ReadonlyMap<string, District> = new Map(DISTRICTS.map((d) => [d.code, d]))

export function isShenyangDistrict(code: string): boolean {
  return DISTRICT_BY_CODE.has(code)
}

export interface Industry {
  /** GB/T 4754-2017 section (门类) letter; stored as `city_enterprises.industry`. */
  code: string
  zh: string
  en: string
  /** Share of newly registered enterprises (relative). 0 = not an enterprise sector. */
  weight: number
  /** Multiplier on the median registered capital. */
  capitalFactor: number
  /** Words that follow the 字号 in an enterprise name. */
  nameWords: readonly string[]
}

export const INDUSTRIES: readonly Industry[] = [
  {
    code: 'A',
    zh: '农、林、牧、渔业',
    en: 'Agriculture, forestry, animal husbandry and fishery',
    weight: 2,
    capitalFactor: 0.8,
    nameWords: ['农业', '农业科技', '生态农业', '养殖', '种业', '农牧'],
  },
  { code: 'B', zh: '采矿业', en: 'Mining', weight: 0.3, capitalFactor: 4, nameWords: ['矿业', '矿产', '砂石'] },
  {
    code: 'C',
    zh: '制造业',
    en: 'Manufacturing',
    weight: 10,
    capitalFactor: 2.5,
    nameWords: [
      '机械制造',
      '机床',
      '汽车零部件',
      '装备制造',
      '精密机械',
      '食品',
      '制药',
      '新材料',
      '化工',
      '包装制品',
      '电气设备',
      '铸造',
      '钢结构',
      '服装',
    ],
  },
  {
    code: 'D',
    zh: '电力、热力、燃气及水生产和供应业',
    en: 'Production and supply of electricity, heat, gas and water',
    weight: 0.5,
    capitalFactor: 8,
    nameWords: ['热力', '燃气', '新能源', '电力工程', '供水'],
  },
  {
    code: 'E',
    zh: '建筑业',
    en: 'Construction',
    weight: 7,
    capitalFactor: 2.5,
    nameWords: ['建筑工程', '建设工程', '装饰工程', '市政工程', '安装工程', '园林绿化工程'],
  },
  {
    code: 'F',
    zh: '批发和零售业',
    en: 'Wholesale and retail trade',
    weight: 30,
    capitalFactor: 0.6,
    nameWords: ['商贸', '贸易', '经贸', '医药连锁', '食品销售', '建材', '五金', '汽车销售', '电子商务'],
  },
  {
    code: 'G',
    zh: '交通运输、仓储和邮政业',
    en: 'Transport, storage and postal services',
    weight: 4,
    capitalFactor: 1.2,
    nameWords: ['物流', '运输', '仓储', '供应链', '货运代理'],
  },
  {
    code: 'H',
    zh: '住宿和餐饮业',
    en: 'Accommodation and catering',
    weight: 5,
    capitalFactor: 0.4,
    nameWords: ['餐饮', '酒店管理', '餐饮管理', '宾馆', '食府'],
  },
  {
    code: 'I',
    zh: '信息传输、软件和信息技术服务业',
    en: 'Information transmission, software and information technology services',
    weight: 7,
    capitalFactor: 1,
    nameWords: ['软件', '信息技术', '网络科技', '数据科技', '智能科技', '电子科技'],
  },
  {
    code: 'J',
    zh: '金融业',
    en: 'Finance',
    weight: 0.8,
    capitalFactor: 20,
    nameWords: ['融资租赁', '小额贷款', '投资', '融资担保'],
  },
  {
    code: 'K',
    zh: '房地产业',
    en: 'Real estate',
    weight: 3,
    capitalFactor: 5,
    nameWords: ['房地产开发', '置业', '物业管理', '房产经纪'],
  },
  {
    code: 'L',
    zh: '租赁和商务服务业',
    en: 'Leasing and business services',
    weight: 12,
    capitalFactor: 0.7,
    nameWords: ['企业管理', '商务咨询', '广告', '人力资源', '会展服务', '设备租赁'],
  },
  {
    code: 'M',
    zh: '科学研究和技术服务业',
    en: 'Scientific research and technical services',
    weight: 8,
    capitalFactor: 0.9,
    nameWords: ['科技', '技术开发', '工程设计', '检测', '环保科技', '生物科技'],
  },
  {
    code: 'N',
    zh: '水利、环境和公共设施管理业',
    en: 'Water conservancy, environment and public facilities management',
    weight: 0.5,
    capitalFactor: 2,
    nameWords: ['环境工程', '市政设施', '水务'],
  },
  {
    code: 'O',
    zh: '居民服务、修理和其他服务业',
    en: 'Resident services, repair and other services',
    weight: 5,
    capitalFactor: 0.3,
    nameWords: ['家政服务', '汽车维修', '美容美发', '洗涤', '维修服务'],
  },
  { code: 'P', zh: '教育', en: 'Education', weight: 1, capitalFactor: 0.5, nameWords: ['教育科技', '文化培训', '职业技能培训'] },
  {
    code: 'Q',
    zh: '卫生和社会工作',
    en: 'Health and social work',
    weight: 1,
    capitalFactor: 1,
    nameWords: ['医疗', '健康管理', '养老服务', '门诊部'],
  },
  {
    code: 'R',
    zh: '文化、体育和娱乐业',
    en: 'Culture, sports and entertainment',
    weight: 3,
    capitalFactor: 0.6,
    nameWords: ['文化传媒', '体育发展', '影视', '文化艺术'],
  },
  {
    code: 'S',
    zh: '公共管理、社会保障和社会组织',
    en: 'Public administration, social security and social organisations',
    weight: 0,
    capitalFactor: 1,
    nameWords: [],
  },
  { code: 'T', zh: '国际组织', en: 'International organisations', weight: 0, capitalFactor: 1, nameWords: [] },
]

export const INDUSTRY_BY_CODE: ReadonlyMap<string, Industry> = new Map(INDUSTRIES.map((i) => [i.code, i]))
