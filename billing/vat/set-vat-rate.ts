import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { vatRates } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { Decimal } from '../money/decimal.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** Configures the VAT rate (decimal fraction, "0.06") from a date; a versioned row, applied per period start. */
export async function setVatRate(
  db: Db,
  opts: { rate: string; effectiveFrom: number; note?: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'vat_rate.set')
  if (denied) return denied
  const text = opts.rate.trim()
  if (!/^0(\.\d{1,4})?$/.test(text))
    return fail('validation', 'validation_failed', 'The VAT rate is a fraction below 1, e.g. 0.06', { rate: 'invalid_rate' })
  if (!Number.isSafeInteger(opts.effectiveFrom))
    return fail('validation', 'validation_failed', 'Invalid effective date', { effectiveFrom: 'invalid' })
  const id = randomUUID()
  const rate = new Decimal(text).toFixed()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'vat_rate.set',
      objectType: 'vat_rate',
      objectId: id,
      requestId: opts.requestId,
      detail: { rate, effectiveFrom: opts.effectiveFrom },
    },
    [
      db.insert(vatRates).values({
        id,
        rate,
        effectiveFrom: opts.effectiveFrom,
        note: opts.note ?? null,
        setByUserId: opts.actor.id,
        createdAt: opts.now ?? Date.now(),
      }),
    ],
  )
  return ok({ id })
}
