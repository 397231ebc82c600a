import { and, asc, desc, eq, inArray, isNotNull, or, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { creditRecords, partners, rectificationCases } from '#db/schema/index.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'

export type CreditRecordStatus = 'active' | 'expired' | 'revoked' | 'pending'

export interface CreditRecordView {
  id: string
  code: string
  subjectType: 'partner' | 'operator'
  partner: { id: string; code: string; name: string } | null
  severity: 'minor' | 'major' | 'serious'
  sourceType: 'case' | 'regulator_finding'
  caseRef: string | null
  /** The rectification case the reference names, when it exists on the platform. */
  linkedCase: { id: string; code: string } | null
  regulatorName: string | null
  occurredAt: number
  expiresAt: number
  /** The same two as Asia/Shanghai days (`YYYY-MM-DD`). */
  occurredOn: string
  expiresOn: string
  description: string
  recordedByLabel: string
  recordedAt: number
  /** The revocation record that withdrew it, if any. */
  revocation: { code: string; at: number; reason: string; byLabel: string } | null
  /** At `now`: counting (active), past its expiry, withdrawn, or not yet occurred. */
  status: CreditRecordStatus
}

/**
 * Violation records (Art. 28) with their status at `now`: a record counts from the day it occurred until its expiry
 * or its revocation, whichever comes first. Newest first; by partner when `partnerId` is given, the operator's with
 * `subject: 'operator'`.
 */
export async function listCreditRecords(
  db: Db,
  opts: { partnerId?: string | null; subject?: 'partner' | 'operator'; now?: number; onlyActive?: boolean } = {},
): Promise<CreditRecordView[]> {
  const now = opts.now ?? Date.now()
  const where: SQL[] = [eq(creditRecords.kind, 'violation')]
  if (opts.partnerId) where.push(eq(creditRecords.partnerId, opts.partnerId))
  if (opts.subject) where.push(eq(creditRecords.subjectType, opts.subject))
  const rows = await db
    .select({
      record: creditRecords,
      partner: { id: partners.id, code: partners.code, name: partners.name },
    })
    .from(creditRecords)
    .leftJoin(partners, eq(partners.id, creditRecords.partnerId))
    .where(and(...where))
    .orderBy(desc(creditRecords.occurredAt), desc(creditRecords.code))
  const revocations = await db
    .select()
    .from(creditRecords)
    .where(and(eq(creditRecords.kind, 'revocation'), isNotNull(creditRecords.revokesRecordId)))
    .orderBy(asc(creditRecords.recordedAt))
  const revoked = new Map(revocations.map((r) => [r.revokesRecordId!, r]))
  const refs = [...new Set(rows.flatMap((r) => (r.record.caseRef ? [r.record.caseRef] : [])))]
  // Only the cases the records name (by code or id).
  const cases =
    refs.length === 0
      ? []
      : await db
          .select({ id: rectificationCases.id, code: rectificationCases.code })
          .from(rectificationCases)
          .where(or(inArray(rectificationCases.code, refs), inArray(rectificationCases.id, refs)))
  const caseOf = (ref: string | null) => (ref ? (cases.find((c) => c.code === ref || c.id === ref) ?? null) : null)
  const views = rows.map(({ record: r, partner }): CreditRecordView => {
    const revocation = revoked.get(r.id)
    const status: CreditRecordStatus =
      revocation && revocation.recordedAt <= now
        ? 'revoked'
        : r.expiresAt <= now
          ? 'expired'
          : r.occurredAt > now
            ? 'pending'
            : 'active'
    return {
      id: r.id,
      code: r.code,
      subjectType: r.subjectType,
      partner: partner?.id ? partner : null,
      severity: r.severity,
      sourceType: r.sourceType,
      caseRef: r.caseRef,
      linkedCase: caseOf(r.caseRef),
      regulatorName: r.regulatorName,
      occurredAt: r.occurredAt,
      expiresAt: r.expiresAt,
      occurredOn: formatDay(r.occurredAt),
      expiresOn: formatDay(r.expiresAt),
      description: r.description,
      recordedByLabel: r.recordedByLabel,
      recordedAt: r.recordedAt,
      revocation: revocation
        ? {
            code: revocation.code,
            at: revocation.recordedAt,
            reason: revocation.description,
            byLabel: revocation.recordedByLabel,
          }
        : null,
      status,
    }
  })
  return opts.onlyActive ? views.filter((v) => v.status === 'active') : views
}

/**
 * What issue 12 (a partner applying, the bad-credit exit) and the bureau's review of a public-interest subscription
 * need: the partner's records in force at `now`, and whether one is serious — the partner is then a candidate for a
 * bad-credit exit (Art. 28). This only flags; it changes nothing.
 */
export async function listActiveCreditRecords(
  db: Db,
  opts: { partnerId: string; now?: number },
): Promise<{ records: CreditRecordView[]; isBadCreditExitCandidate: boolean }> {
  const records = await listCreditRecords(db, { partnerId: opts.partnerId, now: opts.now, onlyActive: true })
  return { records, isBadCreditExitCandidate: records.some((r) => r.severity === 'serious') }
}

/** Every partner with a serious record in force: the candidates for a bad-credit exit (issue 12 acts on them). */
export async function findBadCreditExitCandidates(db: Db, opts: { now?: number } = {}) {
  const active = await listCreditRecords(db, { subject: 'partner', now: opts.now, onlyActive: true })
  const byPartner = new Map<string, { partner: NonNullable<CreditRecordView['partner']>; recordCodes: string[] }>()
  for (const r of active) {
    if (r.severity !== 'serious' || !r.partner) continue
    const entry = byPartner.get(r.partner.id) ?? { partner: r.partner, recordCodes: [] }
    entry.recordCodes.push(r.code)
    byPartner.set(r.partner.id, entry)
  }
  return [...byPartner.values()]
}
