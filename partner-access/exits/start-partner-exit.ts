import { and, eq, isNotNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  EXIT_KINDS,
  evaluations,
  evaluationSubjects,
  partnerExits,
  partners,
  rectificationCases,
  type ExitKind,
} from '#db/schema/index.ts'
import { isUniqueViolation } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { listActiveCreditRecords } from '#supervision/credit/list-credit-records.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'

/** Kinds the bureau starts (it holds the cases, the credit records and the evaluations); the operator starts any kind. */
export { EXIT_KINDS }

// Assessment: the bureau's failing published evaluation result of the partner (ADR 0034).
export const BUREAU_EXIT_KINDS: readonly ExitKind[] = ['breach', 'credit', 'assessment']

export const isExitKind = (value: unknown): value is ExitKind =>
  typeof value === 'string' && (EXIT_KINDS as readonly string[]).includes(value)

export interface StartExitInput {
  partnerCode: string
  kind: string
  reason: string
  /** Breach: the rectification case's code; credit: the credit record's code; assessment: the evaluation reference. */
  sourceRef?: string | null
  /** The exit date; default: now (the notice and the exit at once, to be executed on demand). */
  exitAt?: number | null
}

/**
 * Starts the exit procedure of Art. 12(4): records the notice and the exit date, and tells the partner's
 * administrators in their inbox. Nothing stops yet: executePartnerExit does, at the exit date. A breach rests on a case
 * against this partner, a bad-credit exit on a credit record of theirs in force, an assessment exit on an evaluation
 * reference.
 */
export async function startPartnerExit(
  db: Db,
  opts: { input: StartExitInput; actor: Actor; now?: number; requestId?: string | null },
): Promise<Result<{ id: string; partnerCode: string; exitAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_exit.start')
  if (denied) return denied
  const { input } = opts
  const now = opts.now ?? Date.now()
  const fields: Record<string, string> = {}
  if (!isExitKind(input.kind)) fields.kind = 'invalid'
  else if (opts.actor.role === 'bureau' && !BUREAU_EXIT_KINDS.includes(input.kind)) fields.kind = 'not_for_bureau'
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  if (reason.length < 4) fields.reason = 'too_short'
  else if (reason.length > 1000) fields.reason = 'too_long'
  const sourceRef = typeof input.sourceRef === 'string' && input.sourceRef.trim() ? input.sourceRef.trim() : null
  if (sourceRef && sourceRef.length > 100) fields.sourceRef = 'too_long'
  const exitAt = input.exitAt ?? now
  if (!Number.isSafeInteger(exitAt)) fields.exitAt = 'invalid'
  // A minute's grace for a form filled in "now".
  else if (exitAt < now - 60_000) fields.exitAt = 'past'
  const code = typeof input.partnerCode === 'string' ? input.partnerCode.trim().slice(0, 100) : ''
  const [partner] = code
    ? await db
        .select({ id: partners.id, code: partners.code, name: partners.name, state: partners.state })
        .from(partners)
        .where(eq(partners.code, code))
        .limit(1)
    : []
  if (!partner) return fail('not_found', 'partner_not_found', `No partner ${code}`)
  if (partner.state === 'exited') return fail('conflict', 'partner_exited', `${partner.code} has already exited`)

  if (isExitKind(input.kind) && !fields.sourceRef) {
    if (input.kind === 'breach') {
      const [c] = sourceRef
        ? await db
            .select({ id: rectificationCases.id })
            .from(rectificationCases)
            .where(and(eq(rectificationCases.code, sourceRef), eq(rectificationCases.partnerId, partner.id)))
            .limit(1)
        : []
      if (!c) fields.sourceRef = sourceRef ? 'case_not_of_partner' : 'required'
    } else if (input.kind === 'credit') {
      const { records } = await listActiveCreditRecords(db, { partnerId: partner.id, now })
      if (!sourceRef) fields.sourceRef = 'required'
      else if (!records.some((r) => r.code === sourceRef)) fields.sourceRef = 'credit_record_not_in_force'
    } else if (input.kind === 'assessment' && !sourceRef) fields.sourceRef = 'required'
    else if (input.kind === 'assessment' && opts.actor.role === 'bureau') {
      // The bureau's assessment exit rests on its own record: a published, failing result of this partner (ADR 0034).
      const [failed] = await db
        .select({ id: evaluationSubjects.id })
        .from(evaluationSubjects)
        .innerJoin(evaluations, eq(evaluations.id, evaluationSubjects.evaluationId))
        .where(
          and(
            eq(evaluations.code, sourceRef!),
            eq(evaluationSubjects.partnerId, partner.id),
            eq(evaluationSubjects.passed, false),
            isNotNull(evaluationSubjects.publishedAt),
          ),
        )
        .limit(1)
      if (!failed) fields.sourceRef = 'no_failing_result'
    }
  }
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The exit is not valid', fields)

  const id = crypto.randomUUID()
  const kind = input.kind as ExitKind
  const notices = await notificationStatements(db, {
    audiences: [{ kind: 'partner', partnerId: partner.id }, { kind: 'bureau' }],
    kind: 'partner_exit_noticed',
    params: { partner: partner.code, kind, exitOn: formatDay(exitAt) },
    now,
  })
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_exit.start',
        objectType: 'partner',
        objectId: partner.id,
        requestId: opts.requestId,
        detail: { exit: id, code: partner.code, kind, reason, sourceRef, exitAt },
      },
      [
        db.insert(partnerExits).values({
          id,
          partnerId: partner.id,
          kind,
          reason,
          sourceRef,
          noticeAt: now,
          exitAt,
          startedByUserId: opts.actor.id,
          startedByLabel: opts.actor.label,
        }),
        ...notices,
      ],
    )
  } catch (error) {
    if (isUniqueViolation(error)) return fail('conflict', 'exit_under_way', `An exit of ${partner.code} is already under way`)
    throw error
  }
  return ok({ id, partnerCode: partner.code, exitAt })
}
