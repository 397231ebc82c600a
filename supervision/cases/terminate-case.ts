import { and, eq, inArray, ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, partners, products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { endAuthorizationStatements } from '#catalog/authorizations/end-authorization.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { exitPartnerForBreach } from '#partner-access/exits/exit-partner-for-breach.ts'
import { audiencesOf, caseEventStatement, findCaseRow, isLostTransition, transitionCase, type CaseRow } from './case-parties.ts'
import { checkText, TEXT_LIMITS } from './case-rules.ts'

export interface TerminationOutcome {
  code: string
  /** Authorizations ended (Art. 17: their datasets' data deleted unless another authorization keeps it). */
  authorizations: { code: string; rowsDeleted: number }[]
  partnerExited: string | null
  productRetired: string | null
}

/**
 * The bureau confirms the termination an escalated case calls for (Art. 27: 逾期未完成整改的，市数据局应终止协议):
 * - an authorization: it is terminated, and its dataset's data deleted from the store (Art. 17,
 *   end-authorization.ts: logs stay; the data stays only for another authorization still in force);
 * - the operator: its authorization agreement ends, so every authorization in force (active or suspended) is
 *   terminated the same way;
 * - a partner: its agreement ends — the partner exits by a breach exit (exitPartnerForBreach, ADR 0033: its keys and
 *   subscriptions stop, a final invoice is drafted, its report exports are destroyed, a credit record is written);
 * - a product: it is retired.
 * Each authorization ends in its own audited batch (so each one's deletion rule sees the others' new state), then the
 * case itself; a failure part-way leaves the case escalated and a second confirmation finishes the rest.
 */
export async function terminateCase(
  db: Db,
  opts: { actor: Actor; code: string; reason: string; requestId?: string | null; now?: number },
): Promise<Result<TerminationOutcome>> {
  const denied = refuseUnlessPermitted(opts.actor, 'case.terminate')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const reason = checkText(opts.reason, 'reason', TEXT_LIMITS.resolution, true)
  if (reason.error) return fail('validation', 'reason_invalid', 'State the termination', { reason: reason.error.code })
  const found = await findCaseRow(db, opts.code)
  if (!found) return fail('not_found', 'case_not_found', `No case ${opts.code}`)
  if (found.state !== 'escalated')
    return fail('conflict', 'case_not_escalated', `Only an escalated case is terminated; ${found.code} is ${found.state}`)

  const ended = await endAuthorizationsOf(db, found, opts.actor, reason.text!, now, opts.requestId)
  const [partner] =
    found.targetKind === 'partner' && found.partnerId
      ? await db
          .select({ id: partners.id, code: partners.code, state: partners.state })
          .from(partners)
          .where(eq(partners.id, found.partnerId))
      : []
  const [product] =
    found.targetKind === 'product' && found.productId
      ? await db
          .select({ id: products.id, code: products.code, state: products.state })
          .from(products)
          .where(eq(products.id, found.productId))
      : []
  const notices = await notificationStatements(db, {
    audiences: audiencesOf(found),
    kind: 'case_terminated',
    caseId: found.id,
    params: { case: found.code },
    now,
  })
  const outcome: TerminationOutcome = {
    code: found.code,
    authorizations: ended,
    partnerExited: partner && partner.state !== 'exited' ? partner.code : null,
    productRetired: product && product.state !== 'retired' ? product.code : null,
  }
  const recorded = await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'case.terminate',
      objectType: 'rectification_case',
      objectId: found.id,
      requestId: opts.requestId,
      detail: { ...outcome, reason: reason.text },
    },
    [
      transitionCase(db, {
        id: found.id,
        from: ['escalated'],
        to: 'terminated',
        set: { terminatedAt: now, resolution: reason.text },
      }),
      ...(outcome.productRetired
        ? [
            db
              .update(products)
              .set({ state: 'retired' })
              .where(and(eq(products.id, product!.id), ne(products.state, 'retired'))),
          ]
        : []),
      caseEventStatement(db, {
        caseId: found.id,
        kind: 'terminated',
        actor: opts.actor,
        at: now,
        note: reason.text,
        detail: {
          authorizations: ended.map((a) => a.code),
          partner: outcome.partnerExited,
          product: outcome.productRetired,
        },
      }),
      ...notices,
    ],
  ).catch((error: unknown) => {
    if (isLostTransition(error)) return null
    throw error
  })
  if (recorded === null) return fail('conflict', 'case_not_escalated', `Case ${found.code} changed meanwhile`)
  // The partner's exit is a breach exit through its own procedure (partner-access/exits, ADR 0033): keys stop,
  // subscriptions end, a final invoice is drafted, derived results destroyed, a credit record written, a certificate.
  if (outcome.partnerExited) {
    const exited = await exitPartnerForBreach(db, {
      partnerId: partner!.id,
      caseCode: found.code,
      reason: reason.text!,
      actor: opts.actor,
      now,
      requestId: opts.requestId,
    })
    if (!exited.ok) return exited
  }
  return ok(outcome)
}

/** Ends the authorizations the case's termination covers, one audited batch each (as terminate-authorization.ts). */
async function endAuthorizationsOf(
  db: Db,
  c: CaseRow,
  actor: Actor,
  reason: string,
  now: number,
  requestId: string | null | undefined,
): Promise<{ code: string; rowsDeleted: number }[]> {
  const inForce = inArray(authorizations.state, ['active', 'suspended'])
  const where =
    c.targetKind === 'authorization' && c.authorizationId
      ? and(eq(authorizations.id, c.authorizationId), inForce)
      : c.targetKind === 'operator'
        ? inForce
        : null
  if (!where) return []
  const due = await db
    .select({ id: authorizations.id, code: authorizations.code, datasetId: authorizations.datasetId })
    .from(authorizations)
    .where(where)
  const ended: { code: string; rowsDeleted: number }[] = []
  for (const authorization of due) {
    const end = await endAuthorizationStatements(db, { authorization, state: 'terminated', reason, now })
    await recordAudit(
      db,
      {
        actor,
        action: 'authorization.terminate',
        objectType: 'authorization',
        objectId: authorization.id,
        requestId,
        detail: {
          code: authorization.code,
          dataset: end.datasetCode,
          reason,
          case: c.code,
          rowsDeleted: end.rowsDeleted,
          dataKept: end.dataKept,
        },
      },
      end.statements,
    )
    ended.push({ code: authorization.code, rowsDeleted: end.rowsDeleted })
  }
  return ended
}
