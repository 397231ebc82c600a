import type { EvaluationSubjectKind } from '#db/schema/evaluations.ts'
import type { CriterionInput } from '../evaluation-rules.ts'

/**
 * The schemes a bureau starts from (its form is filled with these when a kind has no scheme yet): the dimensions of
 * Art. 19 for source units, of Art. 20 for the operator, and a partner's duties under its agreement. Weights sum to 100.
 */
export const DEFAULT_SCHEMES: Record<EvaluationSubjectKind, { passMark: number; criteria: CriterionInput[] }> = {
  source_unit: {
    passMark: 60,
    criteria: [
      {
        key: 'approvals',
        nameZh: '资源审批',
        nameEn: 'Approvals',
        weight: 25,
        measures: ['demand_items_decided', 'mean_days_to_decision'],
      },
      { key: 'calls', nameZh: '调取情况', nameEn: 'Calls on its data', weight: 25, measures: ['calls_on_datasets'] },
      {
        key: 'quality',
        nameZh: '数据质量',
        nameEn: 'Data quality',
        weight: 30,
        measures: ['failed_loads', 'validation_errors', 'fresh_datasets_percent'],
      },
      { key: 'use', nameZh: '资源应用', nameEn: 'Use of its data', weight: 20, measures: ['products_on_data'] },
    ],
  },
  operator: {
    passMark: 60,
    criteria: [
      {
        key: 'partners',
        nameZh: '合作方组织管理',
        nameEn: 'Partner management',
        weight: 20,
        measures: ['applications_decided', 'exits_executed', 'partner_cases'],
      },
      {
        key: 'supply',
        nameZh: '产品和服务提供',
        nameEn: 'Product supply',
        weight: 20,
        measures: ['products_supplied', 'products_published'],
      },
      {
        key: 'compliance',
        nameZh: '合规水平',
        nameEn: 'Compliance',
        weight: 25,
        measures: ['operator_cases', 'refused_calls', 'incidents'],
      },
      { key: 'quality', nameZh: '质量水平', nameEn: 'Quality', weight: 15, measures: ['error_rate_percent', 'mean_compute_ms'] },
      {
        key: 'outcomes',
        nameZh: '应用成效',
        nameEn: 'Outcomes',
        weight: 20,
        measures: ['calls_answered', 'public_interest_calls', 'partners_served'],
      },
    ],
  },
  partner: {
    passMark: 60,
    criteria: [
      { key: 'use', nameZh: '合规使用', nameEn: 'Lawful use', weight: 40, measures: ['partner_calls', 'partner_refusals'] },
      { key: 'security', nameZh: '数据安全义务', nameEn: 'Data-security duties', weight: 40, measures: ['partner_cases'] },
      { key: 'credit', nameZh: '信用状况', nameEn: 'Credit', weight: 20, measures: ['credit_records'] },
    ],
  },
}
