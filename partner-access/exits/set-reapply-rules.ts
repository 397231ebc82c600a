import type { Db } from '#db/client.ts'
import { EXIT_KINDS, reapplyRuleSettings, type ExitKind } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { findReapplyRules, MAX_REAPPLY_MONTHS } from './reapply-rules.ts'

/**
 * The bureau sets, per exit kind, how many months after the exit date a former partner may apply again (0 = at once,
 * at most MAX_REAPPLY_MONTHS). A new row each time (the latest counts), audited with the rules before and after. It
 * applies to every later decision, also for exits already executed: the bar is computed when asked, from the exit date.
 */
export async function setReapplyRules(
  db: Db,
  opts: { monthsByKind: Partial<Record<string, unknown>>; actor: Actor; now?: number; requestId?: string | null },
): Promise<Result<{ monthsByKind: Record<ExitKind, number> }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'reapply_rules.set')
  if (denied) return denied
  const fields: Record<string, string> = {}
  const monthsByKind = {} as Record<ExitKind, number>
  for (const kind of EXIT_KINDS) {
    const raw = opts.monthsByKind?.[kind]
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_REAPPLY_MONTHS)
      fields[kind] = 'invalid_months'
    else monthsByKind[kind] = value
  }
  if (Object.keys(fields).length > 0)
    return fail('validation', 'validation_failed', `Months are whole numbers from 0 to ${MAX_REAPPLY_MONTHS}`, fields)
  const before = await findReapplyRules(db)
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'reapply_rules.set',
      objectType: 'reapply_rules',
      requestId: opts.requestId,
      detail: { from: before.monthsByKind, to: monthsByKind },
    },
    [
      db.insert(reapplyRuleSettings).values({
        monthsByKind: JSON.stringify(monthsByKind),
        setAt: now,
        setByUserId: opts.actor.id,
        setByLabel: opts.actor.label,
      }),
    ],
  )
  return ok({ monthsByKind })
}
