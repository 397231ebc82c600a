import type { ChargeUnit } from '#db/schema/index.ts'
import type { LineKind } from '../rating/rate-usage.ts'

/** Bilingual labels for documents rendered outside the UI (PDF, CSV). */
export const CHARGE_UNIT_LABELS: Record<ChargeUnit, { zh: string; en: string }> = {
  call: { zh: '按次调用', en: 'per call' },
  record: { zh: '按条记录', en: 'per record' },
  masked_field: { zh: '按脱敏字段', en: 'per masked field' },
  mb_exported: { zh: '按导出量（MB）', en: 'per MB exported' },
  compute_second: { zh: '按计算时长（秒）', en: 'per compute second' },
  model_release: { zh: '按模型发布', en: 'per model release' },
  service_month: { zh: '包月服务费', en: 'monthly base fee' },
  service_year: { zh: '包年服务费', en: 'yearly base fee' },
}

export const PURPOSE_LABELS = {
  industrial: { zh: '产业发展（有偿）', en: 'industry (paid)' },
  public_interest: { zh: '公共治理/公益（无偿）', en: 'public interest (free)' },
} as const

export const LINE_KIND_LABELS: Record<LineKind, { zh: string; en: string }> = {
  usage: { zh: '本期用量', en: 'usage' },
  adjustment: { zh: '往期补记', en: 'adjustment (late usage)' },
  fixed_fee: { zh: '固定服务费', en: 'fixed fee' },
  model_release: { zh: '模型发布', en: 'model release' },
}
