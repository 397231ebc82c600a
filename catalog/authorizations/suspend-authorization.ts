import { eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasets } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements, type Audience } from '#supervision/inbox/notification-statements.ts'
import {
  audiencesOf,
  caseEventStatement,
  findCaseRow,
  isLostTransition,
  RUNNING_STATES,
} from '#supervision/cases/case-parties.ts'

/**
 * The bureau pauses data supply under an authorization while a rectification is under way (Art. 24: 暂停提供数据;
 * Art. 27: 整改期间暂停授权运营使用权限; ADR 0028). Unlike a termination nothing is deleted: the dataset's data stays
 * in the store and the term runs on (a suspended authorization still expires at its end). Every product over the
 * dataset answers `423 authorization_suspended` from the next request, in every process within 1 s (the gateway's
 * authorization cache lives 500 ms), until resume-authorization.ts. Interface pulls and loads of the dataset pause too
 * (they need an `active` authorization).
 */
export async function suspendAuthorization(
  db: Db,
  opts: { actor: Actor; code: string; reason: string; caseCode?: string | null; requestId?: string | null; now?: number },
): Promise<Result<{ code: string; caseCode: string | null }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'authorization.suspend')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const reason = opts.reason.trim()
  if (!reason) return fail('validation', 'reason_required', 'State why the authorization is suspended', { reason: 'required' })
  if (reason.length > 500) return fail('validation', 'reason_too_long', 'At most 500 characters', { reason: 'too_long' })
  const [authorization] = await db
    .select({
      id: authorizations.id,
      code: authorizations.code,
      state: authorizations.state,
      endsAt: authorizations.endsAt,
      sourceUnitId: datasets.sourceUnitId,
      datasetCode: datasets.code,
    })
    .from(authorizations)
    .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
    .where(eq(authorizations.code, opts.code))
  if (!authorization) return fail('not_found', 'authorization_not_found', `No authorization ${opts.code}`)
  if (authorization.state === 'suspended') return fail('conflict', 'already_suspended', `${opts.code} is already suspended`)
  if (authorization.state !== 'active' || authorization.endsAt <= now)
    return fail('conflict', 'authorization_not_active', `Authorization ${opts.code} is not in force`)
  const theCase = opts.caseCode?.trim() ? await findCaseRow(db, opts.caseCode.trim()) : null
  if (opts.caseCode?.trim() && !theCase) return fail('not_found', 'case_not_found', `No case ${opts.caseCode}`)
  if (theCase && !RUNNING_STATES.includes(theCase.state))
    return fail('conflict', 'case_not_open', `Case ${theCase.code} is ${theCase.state}`)

  const audiences: Audience[] = [
    ...(theCase ? audiencesOf(theCase) : [{ kind: 'bureau' } as const]),
    { kind: 'operator' },
    { kind: 'source_unit', sourceUnitId: authorization.sourceUnitId },
  ]
  const params = { authorization: authorization.code, dataset: authorization.datasetCode, case: theCase?.code ?? '' }
  const notices = await notificationStatements(db, {
    audiences,
    kind: 'authorization_suspended',
    caseId: theCase?.id ?? null,
    params,
    now,
  })
  const recorded = await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'authorization.suspend',
      objectType: 'authorization',
      objectId: authorization.id,
      requestId: opts.requestId,
      detail: { code: authorization.code, dataset: authorization.datasetCode, reason, case: theCase?.code ?? null },
    },
    [
      db
        .update(authorizations)
        .set({
          // Guarded: a racing suspension (or an end) fails this whole batch instead of recording a second one.
          state: sql`CASE WHEN ${authorizations.state} = 'active' THEN 'suspended' ELSE NULL END`,
          suspendedAt: now,
          suspendedReason: reason,
          suspendedCaseId: theCase?.id ?? null,
        })
        .where(eq(authorizations.id, authorization.id)),
      ...(theCase
        ? [
            caseEventStatement(db, {
              caseId: theCase.id,
              kind: 'authorization_suspended',
              actor: opts.actor,
              at: now,
              note: reason,
              detail: { authorization: authorization.code, dataset: authorization.datasetCode },
            }),
          ]
        : []),
      ...notices,
    ],
  ).catch((error: unknown) => {
    if (isLostTransition(error)) return null
    throw error
  })
  if (recorded === null) return fail('conflict', 'already_suspended', `${opts.code} changed meanwhile`)
  return ok({ code: authorization.code, caseCode: theCase?.code ?? null })
}
