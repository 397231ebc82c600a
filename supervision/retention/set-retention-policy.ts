import type { Db } from '#db/client.ts'
import { logRetentionPolicies } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { LEGAL_MINIMUM_MONTHS, LOG_KINDS, MAX_KEEP_MONTHS, type LogKind } from './log-tables.ts'

export interface RetentionPolicyInput {
  kind: string
  keepMonths: number
  note?: string
}

/**
 * The bureau sets how long one kind of log is kept (Art. 17): at least the legal 6 calendar months, counted like the
 * legal minimum from the later of the event and the end of its agreement or authorization. A new version row; the
 * latest is in force (audited). Until a kind has a policy, nothing of it is purged.
 */
export async function setRetentionPolicy(
  db: Db,
  opts: RetentionPolicyInput & { actor: Actor; now?: number },
): Promise<Result<{ id: string; kind: LogKind; keepMonths: number }>> {
  const refused = refuseUnlessPermitted(opts.actor, 'log_retention_policy.set')
  if (refused) return refused
  if (!(LOG_KINDS as readonly string[]).includes(opts.kind))
    return fail('validation', 'unknown_log_kind', `No log kind ${opts.kind}`, { kind: 'unknown_log_kind' })
  const kind = opts.kind as LogKind
  if (!Number.isSafeInteger(opts.keepMonths) || opts.keepMonths > MAX_KEEP_MONTHS)
    return fail('validation', 'invalid_keep_months', 'Keep months must be a whole number of months', {
      keepMonths: 'invalid_keep_months',
    })
  if (opts.keepMonths < LEGAL_MINIMUM_MONTHS)
    return fail('validation', 'below_legal_minimum', `Logs are kept at least ${LEGAL_MINIMUM_MONTHS} months (Art. 17)`, {
      keepMonths: 'below_legal_minimum',
    })
  const note = (opts.note ?? '').trim().slice(0, 500)
  const id = crypto.randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'log_retention_policy.set',
      objectType: 'log_retention_policy',
      objectId: kind,
      detail: { kind, keepMonths: opts.keepMonths, note: note || null },
    },
    [
      db.insert(logRetentionPolicies).values({
        id,
        kind,
        keepMonths: opts.keepMonths,
        note,
        setByUserId: opts.actor.id,
        setByLabel: opts.actor.label,
        setAt: opts.now ?? Date.now(),
      }),
    ],
  )
  return ok({ id, kind, keepMonths: opts.keepMonths })
}
