import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners } from '#db/schema/index.ts'
import { sandboxExports, sandboxJobs, type SandboxExportState } from '#db/schema/sandbox.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { SandboxJobResult } from '../jobs/run-sandbox-job.ts'
import { renderExportCsv } from './render-export-csv.ts'

/**
 * An operator reviewer's decision on a held export (issue 13). A rejection ends it; an approval is the first or the
 * second review: a result that read L3 data leaves only after two distinct reviewers approved. Nobody approves a request
 * they made, nor one of their own partner; nobody reviews the same request twice. The last approval makes the
 * watermarked file.
 */
export async function reviewSandboxExport(
  db: Db,
  opts: { actor: Actor; exportId: string; decision: 'approve' | 'reject'; reason?: string; now: number },
): Promise<Result<{ state: SandboxExportState; approvals: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.review')
  if (denied) return denied
  const [row] = await db.select().from(sandboxExports).where(eq(sandboxExports.id, opts.exportId)).limit(1)
  if (!row) return fail('not_found', 'export_not_found', 'No such export request')
  if (row.state !== 'pending') return fail('conflict', 'export_not_pending', `The request is already ${row.state}`)
  const reviewer = opts.actor.id ?? opts.actor.label
  if (reviewer === row.requestedByUserId || (opts.actor.partnerId && opts.actor.partnerId === row.partnerId))
    return fail('forbidden', 'self_approval', 'A reviewer never decides on their own or their own partner’s request')
  if (reviewer === row.firstReviewerUserId)
    return fail('forbidden', 'second_reviewer_required', 'The second review must be made by another reviewer')

  const audit = (state: SandboxExportState, approvals: number) => ({
    actor: opts.actor,
    action: `sandbox_export.${opts.decision}`,
    objectType: 'sandbox_export',
    objectId: row.id,
    detail: { jobId: row.jobId, state, approvals, reviewsRequired: row.reviewsRequired, reason: opts.reason ?? null },
  })
  // Guarded on the state read above, so two reviewers at once cannot both take the same step.
  const unchanged = and(
    eq(sandboxExports.id, row.id),
    eq(sandboxExports.state, 'pending'),
    row.firstReviewerUserId === null ? isNull(sandboxExports.firstReviewerUserId) : isNull(sandboxExports.secondReviewerUserId),
  )
  if (opts.decision === 'reject') {
    const step =
      row.firstReviewerUserId === null
        ? { firstReviewerUserId: reviewer, firstReviewedAt: opts.now }
        : { secondReviewerUserId: reviewer, secondReviewedAt: opts.now }
    await recordAudit(db, audit('rejected', 0), [
      db
        .update(sandboxExports)
        .set({ ...step, state: 'rejected', rejectedReason: opts.reason ?? '' })
        .where(unchanged),
    ])
    return ok({ state: 'rejected', approvals: 0 })
  }

  const approvals = row.firstReviewerUserId === null ? 1 : 2
  const released = approvals >= row.reviewsRequired
  let file: { content: string; bytes: number } | null = null
  if (released) {
    const [job] = await db.select().from(sandboxJobs).where(eq(sandboxJobs.id, row.jobId))
    const [partner] = await db
      .select({ code: partners.code, name: partners.name })
      .from(partners)
      .where(eq(partners.id, row.partnerId))
    const content = renderExportCsv({
      partner: partner ?? { code: row.partnerId, name: row.partnerId },
      jobId: row.jobId,
      exportId: row.id,
      releasedAt: opts.now,
      result: JSON.parse(job!.result!) as SandboxJobResult,
    })
    file = { content, bytes: Buffer.byteLength(content, 'utf8') }
  }
  const step =
    approvals === 1
      ? { firstReviewerUserId: reviewer, firstReviewedAt: opts.now }
      : { secondReviewerUserId: reviewer, secondReviewedAt: opts.now }
  const state: SandboxExportState = released ? 'approved' : 'pending'
  await recordAudit(db, audit(state, approvals), [
    db
      .update(sandboxExports)
      .set({ ...step, state, ...(file ? file : {}) })
      .where(unchanged),
  ])
  return ok({ state, approvals })
}
