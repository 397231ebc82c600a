import { and, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import {
  apiKeys,
  creditRecords,
  destructionRecords,
  partnerExits,
  partners,
  reportExports,
  subscriptions,
} from '#db/schema/index.ts'
import { estimatePartnerCharges } from '#billing/invoices/estimate-partner-charges.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { errorText } from '#platform/error-text.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { addCalendarMonths, formatDay, startOfDay } from '#platform/calendar/shanghai-calendar.ts'
import { assertPermitted, refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { findReapplyRules } from './reapply-rules.ts'

export interface ExitOutcome {
  exitId: string
  partnerCode: string
  kind: string
  certificateNumber: string
  exitAt: number
  executedAt: number
  subscriptionsEnded: number
  keysStopped: number
  exportsDeleted: number
  exportBytesDeleted: number
  exportsCancelled: number
  finalInvoice: { period: string; totalFen: number; lines: number }
  creditRecordCode: string | null
}

/**
 * Executes an exit at its date (the scheduler's job), or now when asked (`early`: the operator's "execute now", which
 * moves the exit date to now). In one audited batch: the partner becomes `exited` — every key of theirs answers
 * `403 not_subscribed` from the gateway's next state load (≤ 500 ms cache, so within 1 s in every process; the keys
 * themselves stay as they were, for the logs); their subscriptions end; the final draft invoice of the partial period
 * [period start, exit) is drafted from the usage so far and kept on the exit (the next close carries the same events as
 * the partner's last invoice); report exports lose their content with a destruction record (their rows are the export
 * log and stay); a breach or bad-credit exit writes a credit record; a certificate number is given. No log is deleted.
 */
export async function executePartnerExit(
  db: Db,
  opts: { exitId: string; actor: Actor; now?: number; early?: boolean; requestId?: string | null },
): Promise<Result<ExitOutcome>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_exit.execute')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [exit] = await db
    .select({
      id: partnerExits.id,
      partnerId: partnerExits.partnerId,
      kind: partnerExits.kind,
      state: partnerExits.state,
      reason: partnerExits.reason,
      sourceRef: partnerExits.sourceRef,
      exitAt: partnerExits.exitAt,
      partnerCode: partners.code,
    })
    .from(partnerExits)
    .innerJoin(partners, eq(partners.id, partnerExits.partnerId))
    .where(eq(partnerExits.id, opts.exitId))
    .limit(1)
  if (!exit) return fail('not_found', 'exit_not_found', `No exit ${opts.exitId}`)
  if (exit.state !== 'noticed') return fail('conflict', 'exit_not_pending', `The exit is ${exit.state}`)
  if (exit.exitAt > now && !opts.early)
    return fail('conflict', 'exit_not_due', `The exit of ${exit.partnerCode} is due on ${formatDay(exit.exitAt)}`)
  // "Execute now" brings the exit date forward to now; a due exit keeps its date (the job may run a little after it).
  const exitAt = exit.exitAt > now ? now : exit.exitAt
  const executedAt = now

  // The final invoice: the open period's usage of this partner up to the exit (no call is answered after it).
  const estimate = await estimatePartnerCharges(db, { partnerId: exit.partnerId, now: exitAt })
  const invoice = estimate.invoice ? { ...estimate.invoice, state: 'draft' as const } : null
  const finalInvoice = { period: estimate.period, totalFen: invoice?.totalFen ?? 0, lines: invoice?.lines.length ?? 0 }

  const subs = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.partnerId, exit.partnerId), inArray(subscriptions.state, ['pending', 'active'])))
  const keys = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, exit.partnerId))
  const stored = await db
    .select({ id: reportExports.id, bytes: sql<number>`length(${reportExports.content})` })
    .from(reportExports)
    .where(and(eq(reportExports.partnerId, exit.partnerId), isNotNull(reportExports.content)))
  const unfinished = await db
    .select({ id: reportExports.id })
    .from(reportExports)
    .where(and(eq(reportExports.partnerId, exit.partnerId), inArray(reportExports.state, ['queued', 'running'])))
  const exportBytes = stored.reduce((sum, r) => sum + Number(r.bytes ?? 0), 0)

  const notices = await notificationStatements(db, {
    audiences: [{ kind: 'partner', partnerId: exit.partnerId }, { kind: 'bureau' }, { kind: 'operator' }],
    kind: 'partner_exited',
    params: { partner: exit.partnerCode, kind: exit.kind, exitOn: formatDay(exitAt) },
    now,
  })

  return retryOnCodeRace(async () => {
    const certificateNumber = await nextSequenceCode(db, partnerExits.certificateNumber, 'TC', now)
    const statements: BatchItem<'sqlite'>[] = []
    let creditRecordCode: string | null = null
    if (exit.kind === 'breach' || exit.kind === 'credit') {
      creditRecordCode = await nextSequenceCode(db, creditRecords.code, 'XY', now)
      statements.push(
        db.insert(creditRecords).values({
          code: creditRecordCode,
          kind: 'violation',
          subjectType: 'partner',
          partnerId: exit.partnerId,
          severity: exit.kind === 'credit' ? 'serious' : 'major',
          // A breach rests on its case; a bad-credit exit is the bureau's own finding on the records it names.
          sourceType: exit.kind === 'breach' ? 'case' : 'regulator_finding',
          caseRef: exit.kind === 'breach' ? exit.sourceRef : null,
          regulatorName: exit.kind === 'credit' ? '市数据局' : null,
          occurredAt: startOfDay(exitAt),
          // The record counts as long as the partner is barred from applying again.
          expiresAt: addCalendarMonths(startOfDay(exitAt), (await findReapplyRules(db)).monthsByKind[exit.kind]),
          description: `${exit.kind === 'breach' ? '违约退出' : '不良信用退出'}（${certificateNumber}）：${exit.reason}${
            exit.kind === 'credit' && exit.sourceRef ? `；依据信用记录 ${exit.sourceRef}` : ''
          }`,
          recordedByUserId: opts.actor.id,
          recordedByLabel: opts.actor.label,
          recordedAt: now,
        }),
      )
    }
    const outcome: ExitOutcome = {
      exitId: exit.id,
      partnerCode: exit.partnerCode,
      kind: exit.kind,
      certificateNumber,
      exitAt,
      executedAt,
      subscriptionsEnded: subs.length,
      keysStopped: keys.length,
      exportsDeleted: stored.length,
      exportBytesDeleted: exportBytes,
      exportsCancelled: unfinished.length,
      finalInvoice,
      creditRecordCode,
    }
    const recorded = await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'partner_exit.execute',
        objectType: 'partner',
        objectId: exit.partnerId,
        requestId: opts.requestId,
        detail: { ...outcome },
      },
      [
        // Guarded: a second execution racing this one fails its whole batch (NULL into a NOT NULL column).
        db
          .update(partnerExits)
          .set({
            state: sql`CASE WHEN ${partnerExits.state} = 'noticed' THEN 'executed' ELSE NULL END`,
            executedAt,
            exitAt,
            executedByLabel: opts.actor.label,
            certificateNumber,
            finalInvoicePeriod: finalInvoice.period,
            finalInvoiceTotalFen: finalInvoice.totalFen,
            finalInvoice: invoice ? JSON.stringify(invoice) : null,
            outcome: JSON.stringify(outcome),
          })
          .where(eq(partnerExits.id, exit.id)),
        db.update(partners).set({ state: 'exited' }).where(eq(partners.id, exit.partnerId)),
        db
          .update(subscriptions)
          .set({ state: 'ended', endedAt: exitAt })
          .where(and(eq(subscriptions.partnerId, exit.partnerId), inArray(subscriptions.state, ['pending', 'active']))),
        ...(unfinished.length > 0
          ? [
              db
                .update(reportExports)
                .set({ state: 'failed', error: 'partner_exited', completedAt: now })
                .where(
                  inArray(
                    reportExports.id,
                    unfinished.map((r) => r.id),
                  ),
                ),
            ]
          : []),
        ...(stored.length > 0
          ? [
              db
                .update(reportExports)
                .set({ content: null })
                .where(
                  inArray(
                    reportExports.id,
                    stored.map((r) => r.id),
                  ),
                ),
            ]
          : []),
        db.insert(destructionRecords).values({
          exitId: exit.id,
          partnerId: exit.partnerId,
          what: 'report_export_content',
          count: stored.length,
          bytes: exportBytes,
          detail: JSON.stringify({ exports: stored.map((r) => r.id), cancelled: unfinished.map((r) => r.id) }),
          at: now,
          byUserId: opts.actor.id,
          byLabel: opts.actor.label,
        }),
        ...statements,
        ...notices,
      ],
    ).catch((error: unknown) => {
      if (isLostExecution(error)) return null
      throw error
    })
    if (recorded === null) return fail('conflict', 'exit_not_pending', 'The exit was executed meanwhile')
    return ok(outcome)
  })
}

const isLostExecution = (error: unknown) => /NOT NULL constraint failed: partner_exits\.state/.test(errorText(error))

/** The exits whose date has come: run by the scheduler every minute (and at start), and by `partners:exit-due`. */
export async function executeDueExits(db: Db, opts: { actor: Actor; now?: number }): Promise<ExitOutcome[]> {
  assertPermitted(opts.actor, 'partner_exit.execute')
  const now = opts.now ?? Date.now()
  const due = await db
    .select({ id: partnerExits.id })
    .from(partnerExits)
    .where(and(eq(partnerExits.state, 'noticed'), lte(partnerExits.exitAt, now)))
  const done: ExitOutcome[] = []
  for (const exit of due) {
    const result = await executePartnerExit(db, { exitId: exit.id, actor: opts.actor, now })
    if (result.ok) done.push(result.value)
  }
  return done
}
