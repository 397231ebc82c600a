import { eq, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, rectificationCases } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements, type Audience } from '#supervision/inbox/notification-statements.ts'
import { audiencesOf, caseEventStatement, isLostTransition } from '#supervision/cases/case-parties.ts'

/**
 * The bureau resumes a suspended authorization (Art. 24: 待问题整改完成后，重新恢复提供数据): it is `active` again and
 * its products answer from the next request, in every process within 1 s. The data never left, so nothing is
 * reloaded. An authorization whose term ended meanwhile is resumed to be expired by the next expiry run (the gateway
 * already refuses it as ended).
 */
export async function resumeAuthorization(
  db: Db,
  opts: { actor: Actor; code: string; reason?: string | null; requestId?: string | null; now?: number },
): Promise<Result<{ code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'authorization.resume')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const reason = opts.reason?.trim() || null
  if (reason && reason.length > 500)
    return fail('validation', 'reason_too_long', 'At most 500 characters', { reason: 'too_long' })
  const statements = await resumeAuthorizationStatements(db, { actor: opts.actor, code: opts.code, reason, now })
  if (!statements.ok) return statements
  const recorded = await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'authorization.resume',
      objectType: 'authorization',
      objectId: statements.value.id,
      requestId: opts.requestId,
      detail: { code: opts.code, reason, case: statements.value.caseCode },
    },
    statements.value.statements,
  ).catch((error: unknown) => {
    if (isLostTransition(error)) return null
    throw error
  })
  if (recorded === null) return fail('conflict', 'authorization_not_suspended', `${opts.code} changed meanwhile`)
  return ok({ code: opts.code })
}

/**
 * The statements that resume one suspended authorization, with its case event and notices: for resumeAuthorization,
 * and for closing a case (close-case.ts), which resumes what was suspended under it in the same batch.
 */
export async function resumeAuthorizationStatements(
  db: Db,
  opts: { actor: Actor; code: string; reason: string | null; now: number },
): Promise<Result<{ id: string; caseCode: string | null; statements: BatchItem<'sqlite'>[] }>> {
  // Checked here too: closing a case resumes through this step, and the table decides who may resume.
  const denied = refuseUnlessPermitted(opts.actor, 'authorization.resume')
  if (denied) return denied
  const [authorization] = await db
    .select({
      id: authorizations.id,
      code: authorizations.code,
      state: authorizations.state,
      caseId: authorizations.suspendedCaseId,
      sourceUnitId: datasets.sourceUnitId,
      datasetCode: datasets.code,
    })
    .from(authorizations)
    .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
    .where(eq(authorizations.code, opts.code))
  if (!authorization) return fail('not_found', 'authorization_not_found', `No authorization ${opts.code}`)
  if (authorization.state !== 'suspended') return fail('conflict', 'authorization_not_suspended', `${opts.code} is not suspended`)
  const [theCase] = authorization.caseId
    ? await db.select().from(rectificationCases).where(eq(rectificationCases.id, authorization.caseId))
    : []
  const audiences: Audience[] = [
    ...(theCase ? audiencesOf(theCase) : [{ kind: 'bureau' } as const]),
    { kind: 'operator' },
    { kind: 'source_unit', sourceUnitId: authorization.sourceUnitId },
  ]
  const notices = await notificationStatements(db, {
    audiences,
    kind: 'authorization_resumed',
    caseId: theCase?.id ?? null,
    params: { authorization: authorization.code, dataset: authorization.datasetCode, case: theCase?.code ?? '' },
    now: opts.now,
  })
  return ok({
    id: authorization.id,
    caseCode: theCase?.code ?? null,
    statements: [
      db
        .update(authorizations)
        .set({
          // Guarded as the suspension: of two racing resumptions one is recorded.
          state: sql`CASE WHEN ${authorizations.state} = 'suspended' THEN 'active' ELSE NULL END`,
          suspendedAt: null,
          suspendedReason: null,
          suspendedCaseId: null,
        })
        .where(eq(authorizations.id, authorization.id)),
      ...(theCase
        ? [
            caseEventStatement(db, {
              caseId: theCase.id,
              kind: 'authorization_resumed',
              actor: opts.actor,
              at: opts.now,
              note: opts.reason,
              detail: { authorization: authorization.code, dataset: authorization.datasetCode },
            }),
          ]
        : []),
      ...notices,
    ],
  })
}
