import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerExits, partners } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, type Result } from '#platform/result.ts'
import { executePartnerExit, type ExitOutcome } from './execute-partner-exit.ts'
import { startPartnerExit } from './start-partner-exit.ts'

/**
 * A terminated rectification case against a partner (Art. 27) ends its agreement at once: a breach exit (违约退出) is
 * started on the case and executed now; an exit already under way is brought forward instead. Each step checks the
 * actor's permission itself (partner_exit.start / .execute: the bureau may).
 */
export async function exitPartnerForBreach(
  db: Db,
  opts: { partnerId: string; caseCode: string; reason: string; actor: Actor; now: number; requestId?: string | null },
): Promise<Result<ExitOutcome>> {
  const [partner] = await db.select({ code: partners.code }).from(partners).where(eq(partners.id, opts.partnerId))
  if (!partner) return fail('not_found', 'partner_not_found', 'No such partner')
  const started = await startPartnerExit(db, {
    actor: opts.actor,
    now: opts.now,
    requestId: opts.requestId,
    input: { partnerCode: partner.code, kind: 'breach', reason: opts.reason, sourceRef: opts.caseCode, exitAt: opts.now },
  })
  let exitId: string
  if (started.ok) exitId = started.value.id
  else if (started.error.code === 'exit_under_way') {
    const [open] = await db
      .select({ id: partnerExits.id })
      .from(partnerExits)
      .where(and(eq(partnerExits.partnerId, opts.partnerId), eq(partnerExits.state, 'noticed')))
    if (!open) return started
    exitId = open.id
  } else return started
  return executePartnerExit(db, { exitId, actor: opts.actor, now: opts.now, early: true, requestId: opts.requestId })
}
