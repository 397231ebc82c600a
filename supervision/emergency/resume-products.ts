import { and, inArray, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { emergencyStops } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from './check-text.ts'

/**
 * Ends emergency stops in one action: every stop in force, or only the one of `productCode`. The gateway answers again
 * within 1 s in every process. A product covered only by a platform-wide stop cannot be resumed alone
 * (`stopped_platform_wide`): resume everything, then stop what must stay stopped.
 */
export async function resumeProducts(
  db: Db,
  opts: { productCode?: string | null; reason?: string | null; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ resumed: { productCode: string | null; stoppedAt: number }[]; resumedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'emergency.resume')
  if (denied) return denied
  const reason = checkText(opts.reason, 'reason', { max: 500, required: false })
  if (reason.error) return reason.error
  const productCode = typeof opts.productCode === 'string' && opts.productCode.trim() !== '' ? opts.productCode.trim() : null
  if (productCode !== null && productCode.length > 100)
    return fail('validation', 'validation_failed', 'Not a product code', { product: 'invalid' })

  const active = await db
    .select({ id: emergencyStops.id, productCode: emergencyStops.productCode, stoppedAt: emergencyStops.stoppedAt })
    .from(emergencyStops)
    .where(isNull(emergencyStops.resumedAt))
  const ending = productCode === null ? active : active.filter((s) => s.productCode === productCode)
  if (ending.length === 0) {
    if (productCode !== null && active.some((s) => s.productCode === null))
      return fail('conflict', 'stopped_platform_wide', 'Every product is stopped: resume all, not one')
    return fail('conflict', 'not_stopped', productCode ? `${productCode} is not stopped` : 'No emergency stop is in force')
  }
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'emergency.resume',
      objectType: 'emergency_stop',
      objectId: productCode,
      requestId: opts.requestId,
      detail: { productCodes: ending.map((s) => s.productCode ?? '*'), reason: reason.text },
    },
    [
      db
        .update(emergencyStops)
        .set({ resumedAt: now, resumedByLabel: opts.actor.label, resumeReason: reason.text })
        .where(
          and(
            inArray(
              emergencyStops.id,
              ending.map((s) => s.id),
            ),
            isNull(emergencyStops.resumedAt),
          ),
        ),
    ],
  )
  return ok({ resumed: ending.map(({ productCode: code, stoppedAt }) => ({ productCode: code, stoppedAt })), resumedAt: now })
}
