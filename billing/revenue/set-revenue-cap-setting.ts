import { fieldErrors } from '#platform/validation/field-errors.ts'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { revenueCapSettings } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { decimalString } from '../money/decimal.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

const rate = decimalString.refine((v) => Number(v) <= 1, 'rate_too_large')

export const revenueCapInput = z
  .object({
    year: z.number().int().min(2020).max(2100),
    /** Allowed profit rate on the operating cost (65号: e.g. the 10-year treasury yield plus up to 6 points), "0.0785". */
    profitRate: rate,
    /** Taxes as a rate on cost + profit (surcharges, income tax; VAT is collected on invoices and not part of revenue). */
    taxRate: rate,
    note: z.string().max(500).default(''),
  })
  .strict()

/** The bureau sets a year's allowed profit rate and tax rate (a new row; the latest of the year counts). */
export async function setRevenueCapSetting(
  db: Db,
  opts: { input: z.input<typeof revenueCapInput>; actor: Actor; requestId?: string | null },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'revenue_cap.set')
  if (denied) return denied
  const parsed = revenueCapInput.safeParse(opts.input)
  if (!parsed.success) {
    return fail('validation', 'validation_failed', 'Invalid revenue cap setting', fieldErrors(parsed.error))
  }
  const id = randomUUID()
  const input = parsed.data
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'billing.revenue_cap_set',
      objectType: 'revenue_cap',
      objectId: String(input.year),
      requestId: opts.requestId,
      detail: { year: input.year, profitRate: input.profitRate, taxRate: input.taxRate },
    },
    [db.insert(revenueCapSettings).values({ id, ...input, setByUserId: opts.actor.id })],
  )
  return ok({ id })
}
