import { and, eq, or } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { creditRecords } from '#db/schema/index.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from '../emergency/check-text.ts'

/**
 * Withdraws a violation record by appending a revocation record that names it (the record itself is never changed:
 * a trigger refuses it). The revocation carries the reason and who decided; from its instant the record no longer
 * counts, and the export shows both.
 */
export async function revokeCreditRecord(
  db: Db,
  opts: { record: string; reason: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; code: string; revokedCode: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'credit_record.revoke')
  if (denied) return denied
  const reason = checkText(opts.reason, 'reason', { min: 4, max: 2000 })
  if (reason.error) return reason.error
  const ref = typeof opts.record === 'string' ? opts.record.trim().slice(0, 100) : ''
  const [target] = ref
    ? await db
        .select()
        .from(creditRecords)
        .where(and(eq(creditRecords.kind, 'violation'), or(eq(creditRecords.id, ref), eq(creditRecords.code, ref))))
        .limit(1)
    : []
  if (!target) return fail('not_found', 'credit_record_not_found', `No credit record ${ref}`)
  const [already] = await db
    .select({ id: creditRecords.id })
    .from(creditRecords)
    .where(eq(creditRecords.revokesRecordId, target.id))
    .limit(1)
  if (already) return fail('conflict', 'already_revoked', `${target.code} is already revoked`)
  const now = opts.now ?? Date.now()
  return retryOnCodeRace(async () => {
    const code = await nextSequenceCode(db, creditRecords.code, 'XY', now)
    const id = crypto.randomUUID()
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'credit_record.revoke',
        objectType: 'credit_record',
        objectId: target.id,
        requestId: opts.requestId,
        detail: { code: target.code, revocation: code, reason: reason.text },
      },
      [
        db.insert(creditRecords).values({
          id,
          code,
          kind: 'revocation',
          subjectType: target.subjectType,
          partnerId: target.partnerId,
          severity: target.severity,
          sourceType: target.sourceType,
          caseRef: target.caseRef,
          regulatorName: target.regulatorName,
          occurredAt: now,
          expiresAt: target.expiresAt,
          description: reason.text!,
          revokesRecordId: target.id,
          recordedByUserId: opts.actor.id,
          recordedByLabel: opts.actor.label,
          recordedAt: now,
        }),
      ],
    )
    return ok({ id, code, revokedCode: target.code })
  })
}
