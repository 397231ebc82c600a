import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkPlanInput, PLAN_CODE_PATTERN, type PlanInput } from './plan-input.ts'

/**
 * The operator adds a plan (ADR 0032): a new code at version 1, or, with `isNewVersion`, the next version of an
 * existing code. A new version leaves every subscription where it is: they move to it only by a plan change.
 */
export async function createPlan(
  db: Db,
  opts: { code: string; input: PlanInput; isNewVersion?: boolean; actor: Actor; requestId?: string },
): Promise<Result<{ code: string; version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'plan.create')
  if (denied) return denied
  const code = opts.code.trim()
  if (!PLAN_CODE_PATTERN.test(code)) {
    return fail('validation', 'validation_failed', 'A plan code is 2–40 lowercase letters, digits and dashes', {
      code: 'invalid',
    })
  }
  const checked = checkPlanInput(opts.input)
  if (!checked.ok) return checked
  const [latest] = await db
    .select({ version: plans.version })
    .from(plans)
    .where(eq(plans.code, code))
    .orderBy(desc(plans.version))
    .limit(1)
  if (latest && !opts.isNewVersion) {
    return fail('conflict', 'plan_exists', `Plan ${code} exists: add a new version of it`, { code: 'exists' })
  }
  if (!latest && opts.isNewVersion) return fail('not_found', 'plan_not_found', `No plan ${code}`, { code: 'unknown' })
  const version = (latest?.version ?? 0) + 1
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: version === 1 ? 'plan.create' : 'plan.create_version',
        objectType: 'plan',
        objectId: `${code}@${version}`,
        requestId: opts.requestId,
        detail: { code, version, ...checked.value },
      },
      [db.insert(plans).values({ code, version, ...checked.value, createdByUserId: opts.actor.id })],
    )
  } catch (error) {
    // Two versions saved at once: the primary key (code, version) lets one through.
    if (String(error).includes('UNIQUE constraint failed: plans')) {
      return fail('conflict', 'plan_exists', `Plan ${code} version ${version} was just added; try again`)
    }
    throw error
  }
  return ok({ code, version })
}
