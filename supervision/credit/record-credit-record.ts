import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { CREDIT_SEVERITIES, CREDIT_SOURCES, CREDIT_SUBJECTS, creditRecords, partners } from '#db/schema/index.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { parseDay, parseDayEnd } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from '../emergency/check-text.ts'

export type CreditSeverity = (typeof CREDIT_SEVERITIES)[number]
export type CreditSubject = (typeof CREDIT_SUBJECTS)[number]
export type CreditSource = (typeof CREDIT_SOURCES)[number]

export interface CreditRecordInput {
  subject: string
  /** The partner's code, for a record against a partner. */
  partnerCode?: string | null
  severity: string
  source: string
  /** The rectification case (its code or id), when the source is a case. */
  caseRef?: string | null
  /** The regulator (网信、公安…) whose finding this is, when the source is a regulator's finding. */
  regulatorName?: string | null
  /** `YYYY-MM-DD` (Asia/Shanghai). */
  occurredOn: string
  /** `YYYY-MM-DD`: the record counts through the end of this day. */
  expiresOn: string
  description: string
}

const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value)

/**
 * The bureau records a violation against a partner or the operator (Art. 28: 纳入征信记录). Its source is a
 * rectification case or a regulator's finding; it counts from the day it occurred through its expiry day. Records are
 * never edited: a wrong one is withdrawn by a revocation record (revokeCreditRecord). Every field is checked at once.
 */
export async function recordCreditRecord(
  db: Db,
  opts: { input: CreditRecordInput; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'credit_record.record')
  if (denied) return denied
  const input = opts.input
  const now = opts.now ?? Date.now()
  const fields: Record<string, string> = {}
  if (!isOneOf(CREDIT_SUBJECTS, input.subject)) fields.subject = 'invalid'
  if (!isOneOf(CREDIT_SEVERITIES, input.severity)) fields.severity = 'invalid'
  if (!isOneOf(CREDIT_SOURCES, input.source)) fields.source = 'invalid'
  const description = checkText(input.description, 'description', { min: 4, max: 2000 })
  if (description.error) fields.description = description.error.error.fields!.description!
  const caseRef = checkText(input.caseRef, 'caseRef', { max: 64, required: input.source === 'case' })
  if (caseRef.error) fields.caseRef = caseRef.error.error.fields!.caseRef!
  const regulator = checkText(input.regulatorName, 'regulatorName', {
    min: 2,
    max: 100,
    required: input.source === 'regulator_finding',
  })
  if (regulator.error) fields.regulatorName = regulator.error.error.fields!.regulatorName!
  const occurredAt = typeof input.occurredOn === 'string' ? parseDay(input.occurredOn) : null
  const expiresAt = typeof input.expiresOn === 'string' ? parseDayEnd(input.expiresOn) : null
  if (occurredAt === null) fields.occurredOn = 'invalid'
  else if (occurredAt > now) fields.occurredOn = 'future'
  if (expiresAt === null) fields.expiresOn = 'invalid'
  else if (occurredAt !== null && expiresAt <= occurredAt) fields.expiresOn = 'before_occurred'
  let partnerId: string | null = null
  if (input.subject === 'partner') {
    const code = typeof input.partnerCode === 'string' ? input.partnerCode.trim() : ''
    const [partner] = code
      ? await db
          .select({ id: partners.id })
          .from(partners)
          .where(eq(partners.code, code.slice(0, 100)))
          .limit(1)
      : []
    if (!partner) fields.partnerCode = code ? 'unknown' : 'required'
    else partnerId = partner.id
  }
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The credit record is not valid', fields)

  const source = input.source as CreditSource
  return retryOnCodeRace(async () => {
    const code = await nextSequenceCode(db, creditRecords.code, 'XY', now)
    const id = crypto.randomUUID()
    const row = {
      id,
      code,
      kind: 'violation' as const,
      subjectType: input.subject as CreditSubject,
      partnerId,
      severity: input.severity as CreditSeverity,
      sourceType: source,
      caseRef: source === 'case' ? caseRef.text : null,
      regulatorName: source === 'regulator_finding' ? regulator.text : null,
      occurredAt: occurredAt!,
      expiresAt: expiresAt!,
      description: description.text!,
      recordedByUserId: opts.actor.id,
      recordedByLabel: opts.actor.label,
      recordedAt: now,
    }
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'credit_record.record',
        objectType: 'credit_record',
        objectId: id,
        requestId: opts.requestId,
        detail: { code, subject: row.subjectType, partnerId, severity: row.severity, source, caseRef: row.caseRef },
      },
      [db.insert(creditRecords).values(row)],
    )
    return ok({ id, code })
  })
}
