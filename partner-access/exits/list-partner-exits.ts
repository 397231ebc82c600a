import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { destructionRecords, partnerExits, partners, type ExitKind, type ExitState } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { partnerScope } from '#platform/identity/permissions.ts'
import type { ExitOutcome } from './execute-partner-exit.ts'

export interface PartnerExitView {
  id: string
  partner: { id: string; code: string; name: string; uscc: string | null; state: string }
  kind: ExitKind
  state: ExitState
  reason: string
  sourceRef: string | null
  noticeAt: number
  exitAt: number
  executedAt: number | null
  startedBy: string
  executedBy: string | null
  /** A notice withdrawn before its date: when, by whom, why. */
  withdrawal: { at: number; by: string; reason: string } | null
  certificateNumber: string | null
  finalInvoice: { period: string; totalFen: number } | null
  outcome: ExitOutcome | null
  destructions: { what: string; count: number; bytes: number; at: number; by: string }[]
}

/**
 * Exits, newest first: every one for the operator, the bureau and the CLI; a partner's own only for its administrator
 * (another partner's exit does not exist for them).
 */
export async function listPartnerExits(db: Db, opts: { actor: Actor; partnerId?: string | null }): Promise<PartnerExitView[]> {
  const scope = partnerScope(opts.actor)
  const isStaff = ['operator', 'bureau', 'cli', 'system', 'auditor'].includes(opts.actor.role)
  if (!isStaff && scope === null) return []
  const partnerId = scope ?? opts.partnerId ?? null
  const rows = await db
    .select({
      exit: partnerExits,
      partner: { id: partners.id, code: partners.code, name: partners.name, uscc: partners.uscc, state: partners.state },
    })
    .from(partnerExits)
    .innerJoin(partners, eq(partners.id, partnerExits.partnerId))
    .where(partnerId ? eq(partnerExits.partnerId, partnerId) : undefined)
    .orderBy(desc(partnerExits.createdAt))
  const destroyed = await db
    .select()
    .from(destructionRecords)
    .where(partnerId ? eq(destructionRecords.partnerId, partnerId) : undefined)
  return rows.map(({ exit, partner }) => ({
    id: exit.id,
    partner,
    kind: exit.kind,
    state: exit.state,
    reason: exit.reason,
    sourceRef: exit.sourceRef,
    noticeAt: exit.noticeAt,
    exitAt: exit.exitAt,
    executedAt: exit.executedAt,
    startedBy: exit.startedByLabel,
    executedBy: exit.executedByLabel,
    withdrawal:
      exit.withdrawnAt !== null
        ? { at: exit.withdrawnAt, by: exit.withdrawnByLabel ?? '', reason: exit.withdrawReason ?? '' }
        : null,
    certificateNumber: exit.certificateNumber,
    finalInvoice:
      exit.finalInvoicePeriod !== null ? { period: exit.finalInvoicePeriod, totalFen: exit.finalInvoiceTotalFen ?? 0 } : null,
    outcome: exit.outcome ? (JSON.parse(exit.outcome) as ExitOutcome) : null,
    destructions: destroyed
      .filter((d) => d.exitId === exit.id)
      .map((d) => ({ what: d.what, count: d.count, bytes: d.bytes, at: d.at, by: d.byLabel })),
  }))
}

/** Each partner's latest exit kind and state (for partners:list). */
export async function latestExitByPartner(db: Db): Promise<Map<string, { kind: ExitKind; state: ExitState; exitAt: number }>> {
  const rows = await db
    .select({
      partnerId: partnerExits.partnerId,
      kind: partnerExits.kind,
      state: partnerExits.state,
      exitAt: partnerExits.exitAt,
    })
    .from(partnerExits)
    .orderBy(partnerExits.createdAt)
  const map = new Map<string, { kind: ExitKind; state: ExitState; exitAt: number }>()
  for (const r of rows) if (r.state !== 'withdrawn') map.set(r.partnerId, { kind: r.kind, state: r.state, exitAt: r.exitAt })
  return map
}
