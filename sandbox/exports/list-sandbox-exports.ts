import { and, count, desc, eq, inArray, ne } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, users } from '#db/schema/index.ts'
import { sandboxExportDownloads, sandboxExports, sandboxJobs } from '#db/schema/sandbox.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { toExportView, type SandboxExportView } from './export-view.ts'

const LIMIT = 50

async function downloadCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ exportId: sandboxExportDownloads.exportId, n: count() })
    .from(sandboxExportDownloads)
    .where(inArray(sandboxExportDownloads.exportId, ids))
    .groupBy(sandboxExportDownloads.exportId)
  return new Map(rows.map((r) => [r.exportId, r.n]))
}

/** The actor's partner's export requests (newest first); a partner's people or its key. */
export async function listPartnerExports(db: Db, opts: { actor: Actor }): Promise<Result<SandboxExportView[]>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.view')
  if (denied) return denied
  if (!opts.actor.partnerId) return ok([])
  const rows = await db
    .select()
    .from(sandboxExports)
    .where(eq(sandboxExports.partnerId, opts.actor.partnerId))
    .orderBy(desc(sandboxExports.requestedAt))
    .limit(LIMIT)
  const counts = await downloadCounts(
    db,
    rows.map((r) => r.id),
  )
  return ok(rows.map((r) => toExportView(r, counts.get(r.id) ?? 0)))
}

/** One export of the actor's own partner; another partner's is not found. */
export async function getSandboxExport(db: Db, opts: { actor: Actor; exportId: string }): Promise<Result<SandboxExportView>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.view')
  if (denied) return denied
  if (!opts.actor.partnerId) return fail('not_found', 'export_not_found', 'No such export request')
  const [row] = await db
    .select()
    .from(sandboxExports)
    .where(and(eq(sandboxExports.id, opts.exportId), eq(sandboxExports.partnerId, opts.actor.partnerId)))
    .limit(1)
  if (!row) return fail('not_found', 'export_not_found', 'No such export request')
  const counts = await downloadCounts(db, [row.id])
  return ok(toExportView(row, counts.get(row.id) ?? 0))
}

export interface ExportReviewItem extends SandboxExportView {
  partner: { code: string; name: string }
  /** The requester's display name (their user id if the account is gone). */
  requestedBy: string
  /** The job's declarative query and its disclosure-control outcome, as the reviewer judges them. */
  query: unknown
  disclosure: unknown
  groups: number
  /** The first approval is given and another reviewer must give the second (L3 and above). */
  needsSecondReviewer: boolean
  /** Why this reviewer cannot approve it, if they cannot (their own request or partner, or they gave the first). */
  blockedFor: 'self_approval' | 'second_reviewer_required' | null
}

/** The operator reviewers' queue: pending requests oldest first, then the latest decided ones. */
export async function listExportReviews(
  db: Db,
  opts: { actor: Actor },
): Promise<Result<{ pending: ExportReviewItem[]; decided: ExportReviewItem[] }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_export.review')
  if (denied) return denied
  const select = () =>
    db
      .select({
        row: sandboxExports,
        partnerCode: partners.code,
        partnerName: partners.name,
        query: sandboxJobs.query,
        disclosure: sandboxJobs.disclosure,
        result: sandboxJobs.result,
        requesterName: users.displayName,
      })
      .from(sandboxExports)
      .innerJoin(partners, eq(partners.id, sandboxExports.partnerId))
      .leftJoin(users, eq(users.id, sandboxExports.requestedByUserId))
      .innerJoin(sandboxJobs, eq(sandboxJobs.id, sandboxExports.jobId))
  const pending = await select().where(eq(sandboxExports.state, 'pending')).orderBy(sandboxExports.requestedAt).limit(LIMIT)
  const decided = await select().where(ne(sandboxExports.state, 'pending')).orderBy(desc(sandboxExports.requestedAt)).limit(20)
  const reviewer = opts.actor.id ?? opts.actor.label
  const counts = await downloadCounts(
    db,
    decided.map((r) => r.row.id),
  )
  const item = (r: (typeof pending)[number]): ExportReviewItem => {
    const view = toExportView(r.row, counts.get(r.row.id) ?? 0)
    const own = reviewer === r.row.requestedByUserId || (!!opts.actor.partnerId && opts.actor.partnerId === r.row.partnerId)
    return {
      ...view,
      partner: { code: r.partnerCode, name: r.partnerName },
      requestedBy: r.requesterName ?? r.row.requestedByUserId,
      query: JSON.parse(r.query) as unknown,
      disclosure: JSON.parse(r.disclosure) as unknown,
      groups: r.result ? ((JSON.parse(r.result) as { groups?: unknown[] }).groups?.length ?? 0) : 0,
      needsSecondReviewer: r.row.state === 'pending' && view.approvals === 1 && r.row.reviewsRequired === 2,
      blockedFor:
        r.row.state !== 'pending'
          ? null
          : own
            ? 'self_approval'
            : reviewer === r.row.firstReviewerUserId
              ? 'second_reviewer_required'
              : null,
    }
  }
  return ok({ pending: pending.map(item), decided: decided.map(item) })
}

/** How many export requests wait for a review (the operator's worklist). */
export async function countPendingExports(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(sandboxExports).where(eq(sandboxExports.state, 'pending'))
  return row?.n ?? 0
}
