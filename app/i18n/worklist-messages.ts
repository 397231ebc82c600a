// The home pages' pending-work panel (issue 16). Keys are prefixed 'work.'; every zh key needs its en twin.
const zh = {
  'work.title': '待办事项',
  'work.none': '目前没有待处理的事项。',
  'work.count': '{n} 项待处理',
  'work.queue.demands': '待审核的需求清单条目',
  'work.queue.products': '待审核的数据产品',
  'work.queue.subscriptions': '待审批的公益订阅',
  'work.queue.priceBooks': '待审核的价格方案',
  'work.queue.agreements': '待审批的协议版本',
  'work.queue.cases': '待处理的整改案件',
  'work.queue.applications': '待审核的合作方申请',
  'work.queue.returnedDemands': '被退回的需求条目',
  'work.queue.returnedPriceBooks': '被退回的价格方案',
  'work.queue.draftInvoices': '待确认的账单草稿',
  'work.queue.sandboxExports': '待审核的沙箱结果导出',
  'work.queue.sandboxModels': '待审核的沙箱模型发布',
  'work.queue.demandDecisions': '待决定授权的需求条目',
} as const

const en: Record<keyof typeof zh, string> = {
  'work.title': 'Waiting for you',
  'work.none': 'Nothing is waiting for you.',
  'work.count': '{n} waiting',
  'work.queue.demands': 'Demand items to review',
  'work.queue.products': 'Products to review',
  'work.queue.subscriptions': 'Public-interest subscriptions to decide',
  'work.queue.priceBooks': 'Price books to review',
  'work.queue.agreements': 'Agreement versions to approve',
  'work.queue.cases': 'Rectification cases to act on',
  'work.queue.applications': 'Partner applications to review',
  'work.queue.returnedDemands': 'Demand items returned to you',
  'work.queue.returnedPriceBooks': 'Price books returned to you',
  'work.queue.draftInvoices': 'Draft invoices to finalize',
  'work.queue.sandboxExports': 'Sandbox result exports to review',
  'work.queue.sandboxModels': 'Sandbox model releases to review',
  'work.queue.demandDecisions': 'Demand items awaiting your grant or refusal',
}

export const worklistMessages = { zh, en }
