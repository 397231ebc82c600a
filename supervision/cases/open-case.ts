import type { Db } from '#db/client.ts'
import { CASE_TARGETS, type CaseTarget } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { DAY_MS, parseDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { audiencesOf, caseEventStatement, findCaseRow, isLostTransition, resolveTarget, transitionCase } from './case-parties.ts'
import { CASE_DEADLINE_MAX_DAYS, checkText, TEXT_LIMITS } from './case-rules.ts'

/**
 * The bureau opens a reported case (Art. 27: 责令其限期整改): against the operator, a partner, a product or an
 * authorization, with its finding, the rule breached and a deadline — a Shanghai day; the case is overdue from the
 * start of the next day. The party and the reporter are told in their inboxes.
 */
export async function openCase(
  db: Db,
  opts: {
    actor: Actor
    code: string
    targetKind: string
    targetCode?: string | null
    finding: string
    ruleBreached: string
    deadlineOn: string
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ code: string; deadlineAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'case.open')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const fields: Record<string, string> = {}
  const finding = checkText(opts.finding, 'finding', TEXT_LIMITS.finding, true)
  const rule = checkText(opts.ruleBreached, 'ruleBreached', TEXT_LIMITS.rule, true)
  for (const e of [finding.error, rule.error]) if (e) fields[e.field] = e.code
  const targetKind = (CASE_TARGETS as readonly string[]).includes(opts.targetKind) ? (opts.targetKind as CaseTarget) : null
  if (!targetKind) fields.targetKind = 'invalid'
  const day = parseDay(opts.deadlineOn.trim())
  const deadlineAt = day === null ? null : startOfNextDay(day)
  if (deadlineAt === null) fields.deadlineOn = 'invalid_date'
  else if (deadlineAt <= now) fields.deadlineOn = 'in_past'
  else if (deadlineAt > now + CASE_DEADLINE_MAX_DAYS * DAY_MS) fields.deadlineOn = 'too_far'
  if (Object.keys(fields).length > 0) return fail('validation', 'case_open_invalid', 'The case cannot be opened so', fields)
  const target = await resolveTarget(db, targetKind!, opts.targetCode?.trim() || null)
  if (!target.ok) return fail('validation', target.code, `No such ${targetKind}`, { targetCode: target.code })

  const found = await findCaseRow(db, opts.code)
  if (!found) return fail('not_found', 'case_not_found', `No case ${opts.code}`)
  if (found.state !== 'reported') return fail('conflict', 'case_not_reported', `Case ${found.code} is ${found.state}`)
  const opened = {
    state: 'open' as const,
    targetKind: targetKind!,
    partnerId: target.partnerId,
    productId: target.productId,
    authorizationId: target.authorizationId,
    finding: finding.text,
    ruleBreached: rule.text,
    deadlineOn: opts.deadlineOn.trim(),
    deadlineAt: deadlineAt!,
    openedAt: now,
  }
  const notices = await notificationStatements(db, {
    audiences: audiencesOf({ ...found, ...opened }),
    kind: 'case_opened',
    caseId: found.id,
    params: { case: found.code, deadline: opened.deadlineOn },
    now,
  })
  const { state: _state, ...set } = opened
  const recorded = await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'case.open',
      objectType: 'rectification_case',
      objectId: found.id,
      requestId: opts.requestId,
      detail: { code: found.code, target: targetKind, targetCode: target.label, rule: rule.text, deadline: opened.deadlineOn },
    },
    [
      transitionCase(db, { id: found.id, from: ['reported'], to: 'open', set }),
      caseEventStatement(db, {
        caseId: found.id,
        kind: 'opened',
        actor: opts.actor,
        at: now,
        note: finding.text,
        detail: { target: targetKind, targetCode: target.label, rule: rule.text, deadline: opened.deadlineOn },
      }),
      ...notices,
    ],
  ).catch((error: unknown) => {
    if (isLostTransition(error)) return null
    throw error
  })
  if (recorded === null) return fail('conflict', 'case_not_reported', `Case ${found.code} changed meanwhile`)
  return ok({ code: found.code, deadlineAt: deadlineAt! })
}
