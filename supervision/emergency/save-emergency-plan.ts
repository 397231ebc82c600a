import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { emergencyPlans } from '#db/schema/index.ts'
import { isUniqueViolation } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from './check-text.ts'

const PLAN_CODE = /^EP-[A-Z0-9-]{1,40}$/

/**
 * The operator saves an emergency plan (Art. 13: 制定安全处置应急预案). Every save is a new version of the plan (versions
 * 1, 2, …); earlier versions stay as its history. A new plan is started by saving under a new code. Two saves at once
 * take consecutive versions.
 */
export async function saveEmergencyPlan(
  db: Db,
  opts: { code: string; title: string; body: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ code: string; version: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'emergency_plan.save')
  if (denied) return denied
  const fields: Record<string, string> = {}
  const code = typeof opts.code === 'string' ? opts.code.trim().toUpperCase() : ''
  if (!PLAN_CODE.test(code)) fields.code = 'invalid'
  const title = checkText(opts.title, 'title', { min: 2, max: 200 })
  if (title.error) fields.title = title.error.error.fields!.title!
  const body = checkText(opts.body, 'body', { min: 10, max: 100_000 })
  if (body.error) fields.body = body.error.error.fields!.body!
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The plan is not valid', fields)
  const now = opts.now ?? Date.now()
  for (let attempt = 0; ; attempt++) {
    const [last] = await db
      .select({ version: emergencyPlans.version })
      .from(emergencyPlans)
      .where(eq(emergencyPlans.code, code))
      .orderBy(desc(emergencyPlans.version))
      .limit(1)
    const version = (last?.version ?? 0) + 1
    try {
      await recordAudit(
        db,
        {
          actor: opts.actor,
          action: 'emergency_plan.save',
          objectType: 'emergency_plan',
          objectId: code,
          requestId: opts.requestId,
          detail: { code, version, title: title.text },
        },
        [
          db.insert(emergencyPlans).values({
            code,
            version,
            title: title.text!,
            body: body.text!,
            savedByUserId: opts.actor.id,
            savedByLabel: opts.actor.label,
            savedAt: now,
          }),
        ],
      )
      return ok({ code, version })
    } catch (error) {
      if (attempt >= 8 || !isUniqueViolation(error)) throw error
    }
  }
}
