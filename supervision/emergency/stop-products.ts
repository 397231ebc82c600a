import { randomUUID } from 'node:crypto'
import { inArray, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { emergencyStops, products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from './check-text.ts'

export const STOP_REASON_MIN_LENGTH = 4
export const STOP_REASON_MAX_LENGTH = 500
/** More codes than products exist is a hostile request, not a scope. */
const MAX_PRODUCT_CODES = 200

export interface EmergencyStopAction {
  actionId: string
  /** `all`: every metered product; `products`: the ones named. */
  scope: 'all' | 'products'
  productCodes: string[]
  reason: string
  stoppedAt: number
}

/**
 * The emergency stop (Art. 13): the operator or the bureau halts every metered product, or the products named, in one
 * action with a reason. From the next request, in every gateway process within 1 s (their 500 ms cache of the stops
 * in force, gateway/access/load-emergency-stop.ts), the calls answer 503 `emergency_stop`. Data, subscriptions and
 * keys are untouched: resuming (resumeProducts) restores service at once.
 */
export async function stopProducts(
  db: Db,
  opts: {
    /** Empty or absent: every metered product. */
    productCodes?: readonly string[] | null
    reason: string
    actor: Actor
    requestId?: string | null
    now?: number
    /** Set by a stop drill (runStopDrill): the stop belongs to that drill. */
    drillId?: string | null
  },
): Promise<Result<EmergencyStopAction>> {
  const denied = refuseUnlessPermitted(opts.actor, 'emergency.stop')
  if (denied) return denied
  const reason = checkText(opts.reason, 'reason', { min: STOP_REASON_MIN_LENGTH, max: STOP_REASON_MAX_LENGTH })
  if (reason.error) return reason.error
  const requested = [...new Set((opts.productCodes ?? []).map((c) => (typeof c === 'string' ? c.trim() : '')))]
  if (requested.length > MAX_PRODUCT_CODES || requested.some((c) => c === '' || c.length > 100))
    return fail('validation', 'validation_failed', 'Not a list of product codes', { product: 'invalid' })
  const scope = requested.length === 0 ? 'all' : 'products'

  if (scope === 'products') {
    const known = await db.select({ code: products.code }).from(products).where(inArray(products.code, requested))
    const missing = requested.filter((c) => !known.some((k) => k.code === c))
    if (missing.length > 0)
      return fail('not_found', 'product_not_found', `No product ${missing.join(', ')}`, { product: 'unknown' })
  }
  const active = await db
    .select({ productCode: emergencyStops.productCode })
    .from(emergencyStops)
    .where(isNull(emergencyStops.resumedAt))
  if (active.some((s) => s.productCode === null))
    return fail('conflict', 'already_stopped', 'Every metered product is already stopped')
  const already = requested.filter((c) => active.some((s) => s.productCode === c))
  if (already.length > 0) return fail('conflict', 'already_stopped', `${already.join(', ')} already stopped`)

  const now = opts.now ?? Date.now()
  const actionId = randomUUID()
  const row = {
    actionId,
    reason: reason.text!,
    stoppedAt: now,
    stoppedByUserId: opts.actor.id,
    stoppedByLabel: opts.actor.label,
    stoppedByRole: opts.actor.role,
    drillId: opts.drillId ?? null,
  }
  const rows = scope === 'all' ? [{ ...row, productCode: null }] : requested.map((productCode) => ({ ...row, productCode }))
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'emergency.stop',
      objectType: 'emergency_stop',
      objectId: actionId,
      requestId: opts.requestId,
      detail: { scope, productCodes: requested, reason: reason.text, drillId: opts.drillId ?? null },
    },
    [db.insert(emergencyStops).values(rows)],
  )
  return ok({ actionId, scope, productCodes: requested, reason: reason.text!, stoppedAt: now })
}
