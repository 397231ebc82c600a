import type { sandboxExports } from '#db/schema/sandbox.ts'

type Row = typeof sandboxExports.$inferSelect

/** A sandbox export as its partner and its reviewers see it: never the file itself (that is the download). */
export interface SandboxExportView {
  id: string
  jobId: string
  state: Row['state']
  level: string
  reviewsRequired: number
  approvals: number
  requestedAt: number
  releasedAt: number | null
  rejectedReason: string | null
  /** Bytes of the released file before its per-download watermark lines. */
  bytes: number | null
  downloads: number
}

export function toExportView(row: Row, downloads = 0): SandboxExportView {
  const approvals =
    row.state === 'rejected' ? 0 : (row.firstReviewerUserId === null ? 0 : 1) + (row.secondReviewerUserId === null ? 0 : 1)
  return {
    id: row.id,
    jobId: row.jobId,
    state: row.state,
    level: row.level,
    reviewsRequired: row.reviewsRequired,
    approvals,
    requestedAt: row.requestedAt,
    releasedAt: row.state === 'approved' ? (row.secondReviewedAt ?? row.firstReviewedAt) : null,
    rejectedReason: row.rejectedReason,
    bytes: row.bytes,
    downloads,
  }
}
