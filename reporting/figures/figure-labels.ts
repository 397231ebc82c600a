import type { FigureUnit, SectionKey } from './figure-types.ts'
import { formatMoney } from '#platform/money/money.ts'

// Names of the sections and figures in both languages: the page, the PDF, the XLSX and the CSV use these, so a figure
// reads the same wherever it is shown.

type Label = { zh: string; en: string }

export const SECTION_LABELS: Readonly<Record<SectionKey | 'summary', Label>> = {
  summary: { zh: '总体情况', en: 'Summary' },
  storage: { zh: '授权存储', en: 'Authorized storage' },
  interaction: { zh: '数据交互', en: 'Data interaction' },
  processing: { zh: '数据加工', en: 'Processing' },
  fusion: { zh: '融合应用', en: 'Fusion and application' },
  market: { zh: '市场运营', en: 'Market operation' },
}

export const FIGURE_LABELS: Readonly<Record<string, Label>> = {
  datasets_registered: { zh: '登记数据集', en: 'Datasets registered' },
  source_units: { zh: '数源单位', en: 'Source units' },
  datasets_by_source_unit: { zh: '各数源单位数据集', en: 'Datasets by source unit' },
  authorizations_in_force: { zh: '期末有效授权', en: 'Authorizations in force at the end' },
  authorizations_granted: { zh: '本期新授权', en: 'Authorizations granted' },
  authorizations_ended: { zh: '本期终止授权', en: 'Authorizations ended' },
  loads_total: { zh: '数据加载次数', en: 'Loads' },
  loads_succeeded: { zh: '加载成功', en: 'Loads succeeded' },
  loads_failed: { zh: '加载失败（按数据集）', en: 'Loads failed (by dataset)' },
  rows_loaded: { zh: '加载行数', en: 'Rows loaded' },
  rows_rejected: { zh: '拒收行数', en: 'Rows rejected' },
  datasets_fresh: { zh: '按期更新的数据集', en: 'Datasets fresh' },
  datasets_stale: { zh: '未按期更新的数据集', en: 'Datasets stale' },
  freshness_by_dataset: { zh: '数据集更新时效（天）', en: 'Freshness by dataset (days since last load)' },
  calls_total: { zh: '调用次数', en: 'Calls' },
  calls_by_month: { zh: '各月调用', en: 'Calls by month' },
  calls_by_product: { zh: '各产品调用', en: 'Calls by product' },
  calls_by_partner: { zh: '各合作方调用', en: 'Calls by partner' },
  calls_by_purpose: { zh: '按用途调用', en: 'Calls by purpose' },
  calls_by_source_unit: { zh: '按数源单位调用（按数据来源计）', en: 'Calls by source unit (by lineage)' },
  refusals_by_reason: { zh: '拒绝调用（按原因）', en: 'Refusals by reason' },
  fields_masked: { zh: '脱敏字段数', en: 'Fields masked' },
  records_returned: { zh: '返回记录数', en: 'Records returned' },
  compute_ms: { zh: '计算耗时（毫秒）', en: 'Compute (ms)' },
  bytes_out: { zh: '输出字节', en: 'Bytes out' },
  export_bytes: { zh: '导出字节', en: 'Export bytes' },
  exports_completed: { zh: '完成的报告导出', en: 'Report exports completed' },
  model_releases: { zh: '模型发布（按产品）', en: 'Model releases (by product)' },
  products_published: { zh: '已发布产品', en: 'Products published' },
  products_combining_datasets: { zh: '融合多个数据集的产品', en: 'Products combining datasets' },
  products_across_source_units: { zh: '跨数源单位的产品', en: 'Products across source units' },
  calls_combining_datasets: { zh: '融合多数据集的调用', en: 'Calls combining datasets' },
  sandbox_jobs: { zh: '沙箱作业', en: 'Sandbox jobs' },
  sandbox_jobs_released: { zh: '沙箱作业（已放行）', en: 'Sandbox jobs released' },
  sandbox_jobs_combining_datasets: { zh: '融合多数据集的沙箱作业', en: 'Sandbox jobs combining datasets' },
  scenarios_served: { zh: '服务的应用场景', en: 'Scenarios served' },
  revenue_charged_fen: { zh: '已开票收入（不含税）', en: 'Revenue charged (excl. VAT)' },
  revenue_paid_fen: { zh: '已收款', en: 'Revenue paid' },
  revenue_unpaid_fen: { zh: '未收款', en: 'Revenue unpaid' },
  revenue_waived_fen: { zh: '公益减免', en: 'Waived (public interest)' },
  revenue_draft_fen: { zh: '待开票（草稿）', en: 'Draft invoices' },
  public_interest_call_share: { zh: '公益调用占比', en: 'Public-interest share of calls' },
  compensation_fen: { zh: '数源单位补偿', en: 'Compensation of source units' },
  partners_joined: { zh: '新加入合作方', en: 'Partners joined' },
  partners_exited: { zh: '退出合作方', en: 'Partners exited' },
  partners_at_end: { zh: '期末合作方', en: 'Partners at the end' },
}

export const figureLabel = (key: string, locale: 'zh' | 'en' = 'zh') => FIGURE_LABELS[key]?.[locale] ?? key

/** A figure's value for people: money as ¥ with 2 decimals, a ratio as a percentage, counts grouped. */
export function formatFigureValue(value: number, unit: FigureUnit): string {
  // The one money formatter (ADR 0048): a fraction of a fen rounds half-up, never truncated.
  if (unit === 'fen') return formatMoney(value)
  if (unit === 'ratio') return `${(value * 100).toFixed(2)}%`
  return value.toLocaleString('en-US')
}
