import type { Db } from '#db/client.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { verifyAuditChain, type AuditChainReport } from '#platform/audit/verify-audit-chain.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { ok, type Result } from '#platform/result.ts'

/**
 * Walks the whole audit chain for the auditor or the bureau (from the log page's button, or the CLI) and records that
 * it was checked, with the outcome — appended after the walk, so the entry is not part of what it reports on.
 */
export async function verifyAuditChainFor(
  db: Db,
  opts: { actor: Actor; requestId?: string | null },
): Promise<Result<AuditChainReport>> {
  const refused = refuseUnlessPermitted(opts.actor, 'audit_chain.verify')
  if (refused) return refused
  const report = await verifyAuditChain(db)
  await recordAudit(db, {
    actor: opts.actor,
    action: 'audit_chain.verify',
    objectType: 'audit_chain',
    requestId: opts.requestId,
    detail: report.ok
      ? { intact: true, entries: report.entries, lastSeq: report.lastSeq }
      : { intact: false, firstBadSeq: report.firstBadSeq, problem: report.problem },
  })
  return ok(report)
}
