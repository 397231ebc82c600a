import { fail, ok, type Result } from '#platform/result.ts'

/** What the operator sets on a plan version (ADR 0032). */
export interface PlanInput {
  nameZh: string
  nameEn: string
  /** Calls per subscription per minute. */
  rateLimitPerMinute: number
  /** Calls per subscription per Shanghai month; null = unlimited. */
  monthlyQuota: number | null
  distinctSubjectsPerDay: number
  maxActiveKeys: number
  allowsImmediateChange: boolean
}

export const PLAN_CODE_PATTERN = /^[a-z][a-z0-9-]{1,39}$/
export const PLAN_LIMITS = {
  rateLimitPerMinute: 100_000,
  monthlyQuota: 1_000_000_000,
  distinctSubjectsPerDay: 10_000_000,
  maxActiveKeys: 100,
} as const

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
}

/** Checks a plan's names and limits; every problem is a field error. */
export function checkPlanInput(input: PlanInput): Result<PlanInput> {
  const fields: Record<string, string> = {}
  const nameZh = String(input.nameZh ?? '').trim()
  const nameEn = String(input.nameEn ?? '').trim()
  if (nameZh.length < 1 || nameZh.length > 60) fields.nameZh = 'length'
  if (nameEn.length < 1 || nameEn.length > 60) fields.nameEn = 'length'
  if (!isWhole(input.rateLimitPerMinute, 1, PLAN_LIMITS.rateLimitPerMinute)) fields.rateLimitPerMinute = 'range'
  if (input.monthlyQuota !== null && !isWhole(input.monthlyQuota, 1, PLAN_LIMITS.monthlyQuota)) fields.monthlyQuota = 'range'
  if (!isWhole(input.distinctSubjectsPerDay, 1, PLAN_LIMITS.distinctSubjectsPerDay)) fields.distinctSubjectsPerDay = 'range'
  if (!isWhole(input.maxActiveKeys, 1, PLAN_LIMITS.maxActiveKeys)) fields.maxActiveKeys = 'range'
  if (typeof input.allowsImmediateChange !== 'boolean') fields.allowsImmediateChange = 'invalid'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The plan is not valid', fields)
  return ok({ ...input, nameZh, nameEn })
}
