import type { Db } from '#db/client.ts'
import { drills } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from './check-text.ts'

/**
 * Records an emergency drill held (Art. 13: 定期组织应急演练): its day, scope (what was exercised) and outcome, and the
 * plan it exercised. A drill of the stop itself is run by runStopDrill, which records its own timings.
 */
export async function recordDrill(
  db: Db,
  opts: {
    input: { heldOn: string; scope: string; outcome: string; planCode?: string | null; planVersion?: number | null }
    actor: Actor
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'drill.record')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const fields: Record<string, string> = {}
  const heldAt = typeof opts.input.heldOn === 'string' ? parseDay(opts.input.heldOn) : null
  if (heldAt === null) fields.heldOn = 'invalid'
  else if (heldAt > now) fields.heldOn = 'future'
  const scope = checkText(opts.input.scope, 'scope', { min: 2, max: 500 })
  if (scope.error) fields.scope = scope.error.error.fields!.scope!
  const outcome = checkText(opts.input.outcome, 'outcome', { min: 2, max: 4000 })
  if (outcome.error) fields.outcome = outcome.error.error.fields!.outcome!
  const planCode = checkText(opts.input.planCode, 'planCode', { max: 50, required: false })
  if (planCode.error) fields.planCode = 'length'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The drill is not valid', fields)
  const id = crypto.randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'drill.record',
      objectType: 'drill',
      objectId: id,
      requestId: opts.requestId,
      detail: { heldAt, scope: scope.text },
    },
    [
      db.insert(drills).values({
        id,
        kind: 'exercise',
        heldAt: heldAt!,
        scope: scope.text!,
        outcome: outcome.text!,
        planCode: planCode.text,
        planVersion: opts.input.planVersion ?? null,
        recordedByUserId: opts.actor.id,
        recordedByLabel: opts.actor.label,
      }),
    ],
  )
  return ok({ id })
}
