import { fieldErrors } from '#platform/validation/field-errors.ts'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { compensationFormulas, UPDATE_FREQUENCIES } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { decimalString } from '../money/decimal.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** A weight: a decimal string between 0 and 10 (e.g. "0.5" adds half again). */
const weight = decimalString.refine((v) => Number(v) <= 10, 'weight_too_large')

export const compensationFormulaInput = z
  .object({
    /** Fen per call credited to the data a call drew on. */
    sharePerCall: decimalString,
    frequencyWeights: z.record(z.enum(UPDATE_FREQUENCIES), weight),
    qualityWeight: weight,
    effectiveFrom: z.number().int().nonnegative(),
    note: z.string().max(500).default(''),
  })
  .strict()
export type CompensationFormulaInput = z.input<typeof compensationFormulaInput>

/**
 * The bureau sets the Art. 23 compensation formula, as a new version from `effectiveFrom` (never edited in place):
 * amount = calls × share per call × (1 + weight of the dataset's update frequency) × (1 + quality weight × quality).
 */
export async function setCompensationFormula(
  db: Db,
  opts: { input: CompensationFormulaInput; actor: Actor; requestId?: string | null },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'compensation_formula.set')
  if (denied) return denied
  const parsed = compensationFormulaInput.safeParse(opts.input)
  if (!parsed.success) {
    return fail('validation', 'validation_failed', 'Invalid compensation formula', fieldErrors(parsed.error))
  }
  const input = parsed.data
  const weights = Object.fromEntries(UPDATE_FREQUENCIES.map((f) => [f, input.frequencyWeights[f] ?? '0']))
  const id = randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'billing.compensation_formula_set',
      objectType: 'compensation_formula',
      objectId: id,
      requestId: opts.requestId,
      detail: {
        sharePerCall: input.sharePerCall,
        frequencyWeights: weights,
        qualityWeight: input.qualityWeight,
        effectiveFrom: input.effectiveFrom,
      },
    },
    [
      db.insert(compensationFormulas).values({
        id,
        sharePerCall: input.sharePerCall,
        frequencyWeights: JSON.stringify(weights),
        qualityWeight: input.qualityWeight,
        effectiveFrom: input.effectiveFrom,
        note: input.note,
        setByUserId: opts.actor.id,
      }),
    ],
  )
  return ok({ id })
}
