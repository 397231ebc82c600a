import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { COST_CATEGORIES, COST_SUPPLIES } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, type Result } from '#platform/result.ts'
import { readFields } from '../forms/read-fields.ts'
import { yuanToFen } from '../money/yuan.ts'
import { recordCostEntry } from './record-cost-entry.ts'

/** The cost form as posted: a period, a category, the gross cost and the subsidy in yuan (as typed), a note. */
export interface CostEntryForm {
  period?: unknown
  category?: unknown
  gross?: unknown
  subsidy?: unknown
  supply?: unknown
  years?: unknown
  note?: unknown
}

const yuan = (isRequired: boolean) =>
  z
    .string()
    .trim()
    .max(40, 'invalid_amount')
    .transform((text, ctx) => {
      if (text === '' && !isRequired) return 0
      if (text === '') return void ctx.addIssue({ code: 'custom', message: 'required' })
      const fen = yuanToFen(text)
      if (fen === null) ctx.addIssue({ code: 'custom', message: 'invalid_amount' })
      return fen ?? 0
    })

const FIELDS = {
  period: z.string({ errorMap: () => ({ message: 'invalid_period' }) }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'invalid_period'),
  category: z.enum(COST_CATEGORIES, { errorMap: () => ({ message: 'required' }) }),
  gross: yuan(true),
  subsidy: yuan(false).optional(),
  supply: z.enum(COST_SUPPLIES, { errorMap: () => ({ message: 'unknown_supply' }) }).optional(),
  years: z
    .string()
    .trim()
    .max(3, 'invalid_years')
    .regex(/^\d*$/, 'invalid_years')
    .transform((t) => (t === '' ? null : Number(t)))
    .optional(),
  note: z.string().trim().max(200, 'too_long').optional(),
} satisfies Record<keyof CostEntryForm, z.ZodTypeAny>

/** `recordCostEntry` names the amounts in fen; the form's inputs are in yuan. */
const FORM_NAME: Record<string, string> = { grossFen: 'gross', subsidyFen: 'subsidy', amortizationYears: 'years' }

/**
 * The operator's cost entry as posted by the pricing page (Art. 22): the amounts are read from yuan into fen by
 * string arithmetic (`yuanToFen`), then `recordCostEntry` records it; every refusal names the form's own inputs.
 */
export async function recordCostEntryFromForm(
  db: Db,
  opts: { form: CostEntryForm; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; netFen: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'cost_entry.record')
  if (denied) return denied
  const { values, fields } = readFields(FIELDS, opts.form)
  const { period, category, gross: grossFen, subsidy: subsidyFen = 0, supply, years, note } = values
  if (period === undefined || category === undefined || grossFen === undefined || Object.keys(fields).length > 0)
    return fail('validation', 'validation_failed', 'The cost entry is not valid', fields)
  const recorded = await recordCostEntry(db, {
    input: { period, category, grossFen, subsidyFen, supply, amortizationYears: years ?? null, note },
    actor: opts.actor,
    requestId: opts.requestId,
    now: opts.now,
  })
  if (recorded.ok || !recorded.error.fields) return recorded
  const named = Object.entries(recorded.error.fields).map(([key, code]) => [FORM_NAME[key] ?? key, code])
  return { ok: false, error: { ...recorded.error, fields: Object.fromEntries(named) } }
}
