import { and, eq } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { authorizations } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { resumeAuthorizationStatements } from '#catalog/authorizations/resume-authorization.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { audiencesOf, caseEventStatement, findCaseRow, isLostTransition, transitionCase } from './case-parties.ts'
import { checkText, TEXT_LIMITS } from './case-rules.ts'

const CLOSABLE = ['reported', 'open', 'evidence_submitted'] as const

/**
 * The bureau closes a case: the rectification is verified (open or with evidence), or a report is dismissed
 * (reported). Whatever was suspended under the case is resumed in the same batch (Art. 24: 待问题整改完成后，重新恢复提供
 * 数据). An escalated case is not closed here: the deadline passed, its end is a termination (terminate-case.ts).
 */
export async function closeCase(
  db: Db,
  opts: { actor: Actor; code: string; resolution: string; requestId?: string | null; now?: number },
): Promise<Result<{ code: string; resumed: string[] }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'case.close')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const resolution = checkText(opts.resolution, 'resolution', TEXT_LIMITS.resolution, true)
  if (resolution.error)
    return fail('validation', 'resolution_invalid', 'State how the case was resolved', {
      resolution: resolution.error.code,
    })
  const found = await findCaseRow(db, opts.code)
  if (!found) return fail('not_found', 'case_not_found', `No case ${opts.code}`)
  if (!(CLOSABLE as readonly string[]).includes(found.state))
    return fail('conflict', 'case_not_closable', `Case ${found.code} is ${found.state}`)
  const suspended = await db
    .select({ code: authorizations.code })
    .from(authorizations)
    .where(and(eq(authorizations.suspendedCaseId, found.id), eq(authorizations.state, 'suspended')))
  const resumeStatements: BatchItem<'sqlite'>[] = []
  for (const a of suspended) {
    const resumed = await resumeAuthorizationStatements(db, {
      actor: opts.actor,
      code: a.code,
      reason: resolution.text,
      now,
    })
    if (resumed.ok) resumeStatements.push(...resumed.value.statements)
  }
  const notices = await notificationStatements(db, {
    audiences: audiencesOf(found),
    kind: 'case_closed',
    caseId: found.id,
    params: { case: found.code },
    now,
  })
  const recorded = await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'case.close',
      objectType: 'rectification_case',
      objectId: found.id,
      requestId: opts.requestId,
      detail: { code: found.code, from: found.state, resolution: resolution.text, resumed: suspended.map((a) => a.code) },
    },
    [
      transitionCase(db, { id: found.id, from: CLOSABLE, to: 'closed', set: { closedAt: now, resolution: resolution.text } }),
      caseEventStatement(db, {
        caseId: found.id,
        kind: found.state === 'reported' ? 'dismissed' : 'closed',
        actor: opts.actor,
        at: now,
        note: resolution.text,
      }),
      ...resumeStatements,
      ...notices,
    ],
  ).catch((error: unknown) => {
    if (isLostTransition(error)) return null
    throw error
  })
  if (recorded === null) return fail('conflict', 'case_not_closable', `Case ${found.code} changed meanwhile`)
  return ok({ code: found.code, resumed: suspended.map((a) => a.code) })
}
