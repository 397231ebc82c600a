import { and, desc, eq, or } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans, subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkPlanInput, type PlanInput } from './plan-input.ts'

/**
 * The operator corrects a plan version in place (ADR 0032), which is allowed only while no subscription is on it or
 * is to move to it (in any state: an ended subscription's invoices were made under it). A version in use is
 * `plan_in_use`: the operator adds a new version instead.
 */
export async function updatePlan(
  db: Db,
  opts: { code: string; version: number; input: PlanInput; actor: Actor; requestId?: string },
): Promise<Result<{ code: string; version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'plan.update')
  if (denied) return denied
  const checked = checkPlanInput(opts.input)
  if (!checked.ok) return checked
  const [latest] = await db
    .select({ version: plans.version })
    .from(plans)
    .where(eq(plans.code, opts.code))
    .orderBy(desc(plans.version))
    .limit(1)
  if (!latest || !Number.isSafeInteger(opts.version) || opts.version < 1 || opts.version > latest.version) {
    return fail('not_found', 'plan_not_found', `No plan ${opts.code} version ${opts.version}`)
  }
  if (opts.version !== latest.version) {
    return fail('conflict', 'not_latest_version', `Version ${opts.version} was replaced by version ${latest.version}`)
  }
  const isUsing = or(
    and(eq(subscriptions.planCode, opts.code), eq(subscriptions.planVersion, opts.version)),
    and(eq(subscriptions.nextPlanCode, opts.code), eq(subscriptions.nextPlanVersion, opts.version)),
  )
  const users = await db.$count(subscriptions, isUsing)
  if (users > 0) {
    return fail(
      'conflict',
      'plan_in_use',
      `${users} subscription(s) use ${opts.code} version ${opts.version}: add a new version instead`,
    )
  }
  const where = and(eq(plans.code, opts.code), eq(plans.version, opts.version))
  const [before] = await db.select().from(plans).where(where).limit(1)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'plan.update',
      objectType: 'plan',
      objectId: `${opts.code}@${opts.version}`,
      requestId: opts.requestId,
      detail: { before, after: checked.value },
    },
    [db.update(plans).set(checked.value).where(where)],
  )
  return ok({ code: opts.code, version: opts.version })
}
