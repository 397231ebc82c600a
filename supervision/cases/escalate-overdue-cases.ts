import { and, asc, eq, lte } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { rectificationCases } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { ok, type Result } from '#platform/result.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { audiencesOf, caseEventStatement, isLostTransition, transitionCase } from './case-parties.ts'

export interface EscalatedCase {
  code: string
  deadlineOn: string
}

/**
 * The deadline check (Art. 27: 逾期未完成整改的): every `open` case whose deadline day has passed in Shanghai — the
 * party sent no evidence in time — becomes `escalated`, and everyone on it is told; the bureau then confirms the
 * termination (terminate-case.ts). A case with evidence waits for the bureau's verification, not for the clock. Run by
 * the scheduler (hourly and at start), by `cases:escalate` and from the bureau's list; safe to run any number of times.
 */
export async function escalateOverdueCases(
  db: Db,
  opts: { actor?: Actor; now?: number; requestId?: string | null } = {},
): Promise<Result<{ escalated: EscalatedCase[] }>> {
  const actor = opts.actor ?? systemActor('case-deadline-job')
  const denied = refuseUnlessPermitted(actor, 'case.escalate')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const due = await db
    .select()
    .from(rectificationCases)
    .where(and(eq(rectificationCases.state, 'open'), lte(rectificationCases.deadlineAt, now)))
    .orderBy(asc(rectificationCases.deadlineAt), asc(rectificationCases.code))
  const escalated: EscalatedCase[] = []
  for (const c of due) {
    const notices = await notificationStatements(db, {
      audiences: audiencesOf(c),
      kind: 'case_escalated',
      caseId: c.id,
      params: { case: c.code, deadline: c.deadlineOn ?? '' },
      now,
    })
    const recorded = await recordAudit(
      db,
      {
        actor,
        action: 'case.escalate',
        objectType: 'rectification_case',
        objectId: c.id,
        requestId: opts.requestId,
        detail: { code: c.code, deadline: c.deadlineOn, checkedOn: formatDay(now) },
      },
      [
        transitionCase(db, { id: c.id, from: ['open'], to: 'escalated', set: { escalatedAt: now } }),
        caseEventStatement(db, { caseId: c.id, kind: 'escalated', actor, at: now, detail: { deadline: c.deadlineOn } }),
        ...notices,
      ],
    ).catch((error: unknown) => {
      if (isLostTransition(error)) return null
      throw error
    })
    // Another process (or the bureau's button) escalated it, or the party answered, meanwhile.
    if (recorded === null) continue
    escalated.push({ code: c.code, deadlineOn: c.deadlineOn ?? '' })
  }
  return ok({ escalated })
}
