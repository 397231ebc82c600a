import { IntlMessageFormat } from 'intl-messageformat'
import { catalogMessages } from './catalog-messages.ts'
import { gatewayMessages } from './gateway-messages.ts'
import { billingMessages } from './billing-messages.ts'
import { identityMessages } from './identity-messages.ts'
import { supervisionEmergencyMessages } from './supervision-emergency-messages.ts'
import { supervisionRetentionMessages } from './supervision-retention-messages.ts'
import { supervisionLogsMessages } from './supervision-logs-messages.ts'
import { supervisionCasesMessages } from './supervision-cases-messages.ts'
import { supervisionFeedMessages } from './supervision-feed-messages.ts'
import { partnerApplicationsMessages } from './partner-applications-messages.ts'
import { partnerAgreementsMessages } from './partner-agreements-messages.ts'
import { partnerExitsMessages } from './partner-exits-messages.ts'
import { partnerPlansMessages } from './partner-plans-messages.ts'
import { uiShellMessages } from './ui-shell-messages.ts'
import { partnerTeamMessages } from './partner-team-messages.ts'
import { worklistMessages } from './worklist-messages.ts'
import { gradingMessages } from './grading-messages.ts'
import { operationReportsMessages } from './operation-reports-messages.ts'
import { disclosureMessages } from './disclosure-messages.ts'
import { sandboxMessages } from './sandbox-messages.ts'
import { sandboxExportMessages } from './sandbox-export-messages.ts'
import { sandboxModelMessages } from './sandbox-model-messages.ts'
import { evaluationMessages } from './evaluation-messages.ts'
import { homeMessages } from './home-messages.ts'
import { enumMessages } from './enum-messages.ts'
import { commonErrorMessages } from './common-error-messages.ts'

// UI strings. Simplified Chinese is the default; English is switchable and remembered in a cookie.
// Each area keeps its strings in its own file (catalog-messages.ts, gateway-messages.ts, ...).
export const LANGS = ['zh', 'en'] as const
export type Lang = (typeof LANGS)[number]

const coreZh = {
  'app.name': '沈阳市公共数据授权运营平台',
  'app.tagline': '原始数据不出域，数据可用不可见',
  'nav.catalog': '数据产品目录',
  'nav.signIn': '登录',
  'nav.signOut': '退出登录',
  'nav.home': '工作台',
  'nav.usage': '调用量',
  'nav.keys': 'API 密钥',
  'nav.audit': '审计日志',
  'nav.apiDocs': 'API 文档',
  'nav.datasets': '数据集',
  'nav.demands': '需求清单',
  'nav.products': '数据产品',
  'nav.demandReview': '需求审核',
  'nav.productReview': '产品审核',
  'nav.subscriptionReview': '订阅审批',
  'nav.authorizations': '授权',
  'nav.myDemands': '待决定事项',
  'nav.subscriptions': '订阅',
  'nav.suspensions': '暂停与恢复',
  'nav.pricing': '价格管理',
  'nav.invoices': '账单',
  'nav.fees': '收费公示',
  'nav.revenue': '收入',
  'nav.compensation': '补偿',
  'lang.switch': 'English',
  'error.generic': '操作未完成（{code}）',
  'role.bureau': '市数据局',
  'role.operator': '授权运营单位',
  'role.source_unit': '数源单位',
  'role.partner_admin': '合作方管理员',
  'role.partner_developer': '合作方开发者',
  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.idle': '长时间未操作（30 分钟），已自动退出，请重新登录',
  'home.welcome': '欢迎，{name}',
  'bureau.title': '市数据局工作台',
  'bureau.intro': '审核需求清单、产品与价格，查看调用日志与审计记录，必要时暂停服务。',
  'operator.title': '运营单位工作台',
  'operator.intro': '管理数据集、需求清单与数据产品，查看调用量与收入。',
  'sourceUnit.title': '数源单位工作台',
  'sourceUnit.intro': '本单位数据集、待决定的需求事项与授权。',
  'partner.title': '合作方工作台',
  'partner.intro': '本单位订阅的数据产品、调用量与账单。',
  'developer.title': '开发者门户',
  'developer.intro': '使用 API 密钥调用已订阅的数据产品。每次成功调用均被计量。',
  'usage.title': '调用量',
  'usage.total': '成功调用总数',
  'usage.records': '核验/查询记录数',
  'usage.byDay': '按日',
  'usage.byProduct': '按产品',
  'usage.byPartner': '按合作方',
  'usage.recent': '最近调用',
  'usage.rejected': '被拒绝的调用（不计费）',
  'usage.none': '暂无调用记录',
  // What an HTTP status means, beside its number in the usage tables.
  'httpStatus.200': '成功',
  'httpStatus.201': '已创建',
  'httpStatus.400': '请求有误',
  'httpStatus.401': '未认证',
  'httpStatus.403': '无权限',
  'httpStatus.404': '不存在',
  'httpStatus.409': '冲突',
  'httpStatus.413': '请求过大',
  'httpStatus.415': '类型不支持',
  'httpStatus.423': '已暂停',
  'httpStatus.429': '超出限额',
  'httpStatus.500': '内部错误',
  'httpStatus.503': '暂停服务',
  'col.day': '日期',
  'col.product': '产品',
  'col.partner': '合作方',
  'col.calls': '调用次数',
  'col.status': '状态',
  'col.time': '时间',
  'col.requestId': '请求编号',
  'col.purpose': '用途',
  'col.code': '代码',
  'col.name': '名称',
  'col.level': '分级',
  'col.domain': '领域',
  'col.delivery': '交付方式',
  'col.form': '形态',
  'col.seq': '序号',
  'col.actor': '操作人',
  'col.role': '角色',
  'col.action': '操作',
  'col.object': '对象',
  'col.prefix': '密钥前缀',
  'col.lastUsed': '最近使用',
  'col.created': '创建时间',
  'col.amount': '金额',
  'purpose.industrial': '产业发展（有偿）',
  'purpose.public_interest': '公共治理/公益（无偿）',
  'audit.chainOk': '审计链完整：共 {n} 条记录，哈希链（SM3）校验通过',
  'audit.chainBroken': '审计链异常：{message}',
  'keys.quickStart': '快速开始',
  'keys.none': '暂无密钥',
  'catalog.title': '数据产品目录',
  'catalog.intro': '已发布的数据产品，均基于数源单位授权的数据集构建。',
  'form.component': '数据组件',
  'form.model': '数据模型',
  'form.verification': '数据核验',
  'form.service': '数据服务',
  'form.tool': '数据工具',
  'form.report': '数据报告',
  'error.400': '请求无效，未作任何更改',
  'error.413': '提交的内容过大，未作任何更改',
  'error.415': '不支持的提交格式，未作任何更改',
  'error.403': '无权访问此页面',
  'error.csrf': '此表单已过期或来自其他网站，已被拒绝，未作任何更改。请刷新页面后重试。',
  'error.404': '页面不存在',
  'error.500': '系统错误，请稍后重试',
  'error.back': '返回工作台',
  'datasets.title': '数据集',
  'estimate.none': '—',
} as const

const zh = {
  ...coreZh,
  ...catalogMessages.zh,
  ...gatewayMessages.zh,
  ...billingMessages.zh,
  ...identityMessages.zh,
  ...supervisionEmergencyMessages.zh,
  ...supervisionLogsMessages.zh,
  ...supervisionCasesMessages.zh,
  ...supervisionRetentionMessages.zh,
  ...supervisionFeedMessages.zh,
  ...partnerApplicationsMessages.zh,
  ...partnerAgreementsMessages.zh,
  ...partnerExitsMessages.zh,
  ...partnerPlansMessages.zh,
  ...uiShellMessages.zh,
  ...partnerTeamMessages.zh,
  ...worklistMessages.zh,
  ...gradingMessages.zh,
  ...operationReportsMessages.zh,
  ...disclosureMessages.zh,
  ...sandboxMessages.zh,
  ...sandboxExportMessages.zh,
  ...sandboxModelMessages.zh,
  ...evaluationMessages.zh,
  ...homeMessages.zh,
  ...enumMessages.zh,
  ...commonErrorMessages.zh,
}
export type MessageKey = keyof typeof zh

const en: Record<MessageKey, string> = {
  ...catalogMessages.en,
  ...gatewayMessages.en,
  ...billingMessages.en,
  ...identityMessages.en,
  ...supervisionEmergencyMessages.en,
  ...supervisionRetentionMessages.en,
  ...supervisionLogsMessages.en,
  ...supervisionCasesMessages.en,
  ...supervisionFeedMessages.en,
  ...partnerApplicationsMessages.en,
  ...partnerAgreementsMessages.en,
  ...partnerExitsMessages.en,
  ...partnerPlansMessages.en,
  ...uiShellMessages.en,
  ...partnerTeamMessages.en,
  ...worklistMessages.en,
  ...gradingMessages.en,
  ...operationReportsMessages.en,
  ...disclosureMessages.en,
  ...sandboxMessages.en,
  ...sandboxExportMessages.en,
  ...sandboxModelMessages.en,
  ...evaluationMessages.en,
  ...homeMessages.en,
  ...enumMessages.en,
  ...commonErrorMessages.en,
  'app.name': 'Shenyang Public Data Authorized Operation Platform',
  'app.tagline': 'Raw data stays in; data is usable, not visible',
  'nav.catalog': 'Product catalog',
  'nav.signIn': 'Sign in',
  'nav.signOut': 'Sign out',
  'nav.home': 'Home',
  'nav.usage': 'Usage',
  'nav.keys': 'API keys',
  'nav.audit': 'Audit log',
  'nav.apiDocs': 'API docs',
  'nav.datasets': 'Datasets',
  'nav.demands': 'Demand lists',
  'nav.products': 'Products',
  'nav.demandReview': 'Demand review',
  'nav.productReview': 'Product review',
  'nav.subscriptionReview': 'Subscription review',
  'nav.authorizations': 'Authorizations',
  'nav.myDemands': 'Items awaiting decision',
  'nav.subscriptions': 'Subscriptions',
  'nav.suspensions': 'Suspensions',
  'nav.pricing': 'Pricing',
  'nav.invoices': 'Invoices',
  'nav.fees': 'Fee disclosure',
  'nav.revenue': 'Revenue',
  'nav.compensation': 'Compensation',
  'lang.switch': '中文',
  'error.generic': 'Not done ({code})',
  'role.bureau': 'Municipal Data Bureau',
  'role.operator': 'Authorized operator',
  'role.source_unit': 'Data source unit',
  'role.partner_admin': 'Partner admin',
  'role.partner_developer': 'Partner developer',
  'login.title': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.idle': 'Signed out after 30 minutes of inactivity; please sign in again',
  'home.welcome': 'Welcome, {name}',
  'bureau.title': 'Data Bureau workspace',
  'bureau.intro': 'Review demand lists, products and prices; read call logs and the audit trail; suspend when needed.',
  'operator.title': 'Operator workspace',
  'operator.intro': 'Manage datasets, demand lists and data products; watch usage and revenue.',
  'sourceUnit.title': 'Source unit workspace',
  'sourceUnit.intro': 'Your datasets, the demand items awaiting your decision, and your authorizations.',
  'partner.title': 'Partner workspace',
  'partner.intro': 'Your subscriptions, usage and invoices.',
  'developer.title': 'Developer portal',
  'developer.intro': 'Call your subscribed data products with an API key. Every answered call is metered.',
  'usage.title': 'Usage',
  'usage.total': 'Answered calls',
  'usage.records': 'Records consulted',
  'usage.byDay': 'By day',
  'usage.byProduct': 'By product',
  'usage.byPartner': 'By partner',
  'usage.recent': 'Recent calls',
  'usage.rejected': 'Rejected calls (never billed)',
  'usage.none': 'No calls yet',
  'httpStatus.200': 'OK',
  'httpStatus.201': 'Created',
  'httpStatus.400': 'Bad request',
  'httpStatus.401': 'Not authenticated',
  'httpStatus.403': 'Forbidden',
  'httpStatus.404': 'Not found',
  'httpStatus.409': 'Conflict',
  'httpStatus.413': 'Too large',
  'httpStatus.415': 'Unsupported type',
  'httpStatus.423': 'Paused',
  'httpStatus.429': 'Limit exceeded',
  'httpStatus.500': 'Server error',
  'httpStatus.503': 'Unavailable',
  'col.day': 'Day',
  'col.product': 'Product',
  'col.partner': 'Partner',
  'col.calls': 'Calls',
  'col.status': 'Status',
  'col.time': 'Time',
  'col.requestId': 'Request id',
  'col.purpose': 'Purpose',
  'col.code': 'Code',
  'col.name': 'Name',
  'col.level': 'Level',
  'col.domain': 'Domain',
  'col.delivery': 'Delivery',
  'col.form': 'Form',
  'col.seq': '#',
  'col.actor': 'Actor',
  'col.role': 'Role',
  'col.action': 'Action',
  'col.object': 'Object',
  'col.prefix': 'Key prefix',
  'col.lastUsed': 'Last used',
  'col.created': 'Created',
  'col.amount': 'Amount',
  'purpose.industrial': 'Industry (paid)',
  'purpose.public_interest': 'Public interest (free)',
  'audit.chainOk': 'Audit chain intact: {n} entries, SM3 hash chain verified',
  'audit.chainBroken': 'Audit chain broken: {message}',
  'keys.quickStart': 'Quick start',
  'keys.none': 'No keys yet',
  'catalog.title': 'Data product catalog',
  'catalog.intro': 'Published data products, each built on datasets their source units authorized.',
  'form.component': 'Component',
  'form.model': 'Model',
  'form.verification': 'Verification',
  'form.service': 'Service',
  'form.tool': 'Tool',
  'form.report': 'Report',
  'error.400': 'The request was not valid; nothing was changed',
  'error.413': 'What was sent is too large; nothing was changed',
  'error.415': 'This kind of submission is not accepted; nothing was changed',
  'error.403': 'You may not open this page',
  'error.csrf':
    'This form has expired or came from another site, so it was refused; nothing was changed. Reload the page and try again.',
  'error.404': 'Page not found',
  'error.500': 'Something went wrong; please try again',
  'error.back': 'Back to your home',
  'datasets.title': 'Datasets',
  'estimate.none': '—',
}

export const messages: Record<Lang, Record<MessageKey, string>> = { zh, en }

// A message with an ICU argument (`{n, plural, one {{n} call} other {{n} calls}}`) is formatted by intl-messageformat
// (ADR 0046); every other message keeps the plain `{name}` replacement. Compiled formats are kept per language and key.
const ICU_ARGUMENT = /\{\s*\w+\s*,\s*(?:plural|selectordinal|select)\s*,/
const icuFormats = new Map<string, IntlMessageFormat>()

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  let text = messages[lang][key] ?? key
  if (ICU_ARGUMENT.test(text)) {
    const id = `${lang}:${key}`
    try {
      let format = icuFormats.get(id)
      if (!format) icuFormats.set(id, (format = new IntlMessageFormat(text, lang === 'zh' ? 'zh-CN' : 'en-US')))
      // An argument the caller left out reads as empty, as it does in a plain message.
      const args: Record<string, string | number> = {}
      for (const m of text.matchAll(/\{\s*(\w+)\s*[,}]/g)) args[m[1]!] = ''
      return String(format.format({ ...args, ...vars }))
    } catch {
      // Not valid ICU after all: fall through to the plain replacement rather than fail the page.
    }
  }
  if (vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v))
  return text
}

/** An HTTP status as a person reads it: `429 超出限额` / `429 Limit exceeded`; a status without a phrase as its number. */
export function httpStatusText(lang: Lang, status: number): string {
  const key = `httpStatus.${status}`
  return key in messages[lang] ? `${status} ${translate(lang, key as MessageKey)}` : String(status)
}
