import { eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerExits, partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { BUREAU_EXIT_KINDS } from './start-partner-exit.ts'

/**
 * Withdraws an exit notice before its execution (the partner cured the breach, a credit record was withdrawn, a
 * mistake): the exit becomes `withdrawn` with when, by whom and why; nothing had stopped, so nothing restarts; the
 * partner's administrators and the bureau are told. The bureau withdraws only the kinds it may start. The state change
 * fails its whole batch when the exit is no longer `noticed` (the CASE → NULL guard of ADR 0028): of a withdrawal and
 * the exit job at once, exactly one wins.
 */
export async function withdrawPartnerExit(
  db: Db,
  opts: { exitId: string; reason: string; actor: Actor; now?: number; requestId?: string | null },
): Promise<Result<{ id: string; partnerCode: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_exit.withdraw')
  if (denied) return denied
  const reason = typeof opts.reason === 'string' ? opts.reason.trim() : ''
  if (reason.length < 4)
    return fail('validation', 'validation_failed', 'A withdrawal needs a reason', { withdrawReason: 'too_short' })
  if (reason.length > 1000)
    return fail('validation', 'validation_failed', 'The reason is too long', { withdrawReason: 'too_long' })
  const now = opts.now ?? Date.now()
  const [exit] = await db
    .select({
      id: partnerExits.id,
      partnerId: partnerExits.partnerId,
      kind: partnerExits.kind,
      state: partnerExits.state,
      partnerCode: partners.code,
    })
    .from(partnerExits)
    .innerJoin(partners, eq(partners.id, partnerExits.partnerId))
    .where(eq(partnerExits.id, opts.exitId.slice(0, 64)))
    .limit(1)
  if (!exit) return fail('not_found', 'exit_not_found', `No exit ${opts.exitId.slice(0, 64)}`)
  if (opts.actor.role === 'bureau' && !BUREAU_EXIT_KINDS.includes(exit.kind))
    return fail('conflict', 'exit_not_for_bureau', 'The bureau withdraws only the exits it may start')
  if (exit.state !== 'noticed') return fail('conflict', 'exit_not_pending', `The exit is ${exit.state}`)
  const notices = await notificationStatements(db, {
    audiences: [{ kind: 'partner', partnerId: exit.partnerId }, { kind: 'bureau' }],
    kind: 'partner_exit_withdrawn',
    params: { partner: exit.partnerCode, kind: exit.kind },
    now,
  })
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_exit.withdraw',
        objectType: 'partner',
        objectId: exit.partnerId,
        requestId: opts.requestId,
        detail: { exit: exit.id, code: exit.partnerCode, kind: exit.kind, reason },
      },
      [
        db
          .update(partnerExits)
          .set({
            state: sql`CASE WHEN ${partnerExits.state} = 'noticed' THEN 'withdrawn' ELSE NULL END`,
            withdrawnAt: now,
            withdrawnByLabel: opts.actor.label,
            withdrawReason: reason,
          })
          .where(eq(partnerExits.id, exit.id)),
        ...notices,
      ],
    )
  } catch (error) {
    if (/NOT NULL constraint failed: partner_exits\.state/.test(errorText(error)))
      return fail('conflict', 'exit_not_pending', 'The exit changed meanwhile')
    throw error
  }
  return ok({ id: exit.id, partnerCode: exit.partnerCode })
}
