import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { id } from '../columns.ts'

// The data sandbox (ADR 0038): partners' analysis jobs over authorized datasets, run inside the platform. Only
// disclosed aggregates ever leave; the rows stay. Every job is kept (partner, subscription, query, outcome).

export const SANDBOX_JOB_STATES = ['released', 'refused'] as const
export type SandboxJobState = (typeof SANDBOX_JOB_STATES)[number]

export const sandboxJobs = sqliteTable(
  'sandbox_jobs',
  {
    id: id(),
    at: integer('at').notNull(),
    requestId: text('request_id').notNull(),
    partnerId: text('partner_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    apiKeyId: text('api_key_id').notNull(),
    productId: text('product_id').notNull(),
    /** The declarative query as the partner sent it (JSON, after validation). */
    query: text('query').notNull(),
    /** SHA-256 of the query without its filters (datasets, joins, group-by): differencing compares jobs of one shape. */
    shapeHash: text('shape_hash').notNull(),
    /** SHA-256 of the filters alone. */
    filterHash: text('filter_hash').notNull(),
    state: text('state', { enum: SANDBOX_JOB_STATES }).notNull(),
    /** The refusal's stable code (`differencing_risk`, `privacy_budget_exhausted`, …) when refused. */
    refusalCode: text('refusal_code'),
    /** The disclosed result (JSON) exactly as the partner saw it; null when refused. */
    result: text('result'),
    /**
     * Internal only, never shown: the true number of subjects per released group key (JSON `[[key, n], …]`), so a
     * later query of the same shape can be checked against it for differencing.
     */
    groupSubjects: text('group_subjects'),
    /** ε spent by this job (decimal text), null without differential privacy. */
    epsilon: text('epsilon'),
    computeMs: integer('compute_ms').notNull().default(0),
    /** JSON: the disclosure outcome (k, groups suppressed by rule, cells suppressed for dominance, noise). */
    disclosure: text('disclosure').notNull().default('{}'),
  },
  (t) => [
    index('sandbox_jobs_partner_shape_idx').on(t.partnerId, t.shapeHash, t.at),
    index('sandbox_jobs_subscription_at_idx').on(t.subscriptionId, t.at),
  ],
)

/**
 * The privacy-budget ledger (ADR 0038): one row per job that drew ε, per subscription and billing period (Asia/Shanghai
 * month). ε is stored in millionths so sums are exact; a spend is inserted only if it fits (one conditional INSERT).
 */
export const sandboxPrivacySpends = sqliteTable(
  'sandbox_privacy_spends',
  {
    id: id(),
    subscriptionId: text('subscription_id').notNull(),
    /** YYYY-MM (Asia/Shanghai). */
    period: text('period').notNull(),
    jobId: text('job_id').notNull(),
    epsilonMicro: integer('epsilon_micro').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [
    index('sandbox_privacy_spends_subscription_idx').on(t.subscriptionId, t.period),
    uniqueIndex('sandbox_privacy_spends_job_idx').on(t.jobId),
  ],
)

export const SANDBOX_EXPORT_STATES = ['pending', 'approved', 'rejected'] as const
export type SandboxExportState = (typeof SANDBOX_EXPORT_STATES)[number]

/**
 * A request to take a released job's result out of the sandbox (issue 13, ADR 0038): held until operator reviewers
 * approve it (two distinct ones when the job read L3 data or above; never the requester). The approved file carries a
 * watermark naming the partner, the job and the time.
 */
export const sandboxExports = sqliteTable(
  'sandbox_exports',
  {
    id: id(),
    jobId: text('job_id').notNull(),
    partnerId: text('partner_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    requestedByUserId: text('requested_by_user_id').notNull(),
    requestedAt: integer('requested_at').notNull(),
    /** The strictest level the job read: L3 and above need a second reviewer. */
    level: text('level').notNull(),
    reviewsRequired: integer('reviews_required').notNull(),
    state: text('state', { enum: SANDBOX_EXPORT_STATES }).notNull(),
    firstReviewerUserId: text('first_reviewer_user_id'),
    firstReviewedAt: integer('first_reviewed_at'),
    secondReviewerUserId: text('second_reviewer_user_id'),
    secondReviewedAt: integer('second_reviewed_at'),
    rejectedReason: text('rejected_reason'),
    /** The watermarked CSV, made at the approval that releases it. */
    content: text('content'),
    bytes: integer('bytes'),
  },
  (t) => [
    index('sandbox_exports_partner_idx').on(t.partnerId, t.requestedAt),
    index('sandbox_exports_state_idx').on(t.state, t.requestedAt),
    uniqueIndex('sandbox_exports_job_idx').on(t.jobId),
  ],
)

/**
 * Every download of a released export (issue 13, ADR 0038): a released file downloads repeatedly, each download metered
 * as `export_bytes` and recorded here with the fingerprint printed in its watermark and the SHA-256 of the bytes that
 * left, so a leaked copy is traced back to the download (who, when, by which request).
 */
export const sandboxExportDownloads = sqliteTable(
  'sandbox_export_downloads',
  {
    id: id(),
    exportId: text('export_id').notNull(),
    partnerId: text('partner_id').notNull(),
    /** Who downloaded: a user id, or `api_key:<id>`. */
    downloadedBy: text('downloaded_by').notNull(),
    requestId: text('request_id'),
    at: integer('at').notNull(),
    bytes: integer('bytes').notNull(),
    /** The fingerprint printed in the file's watermark (hex, 32 chars). */
    fingerprint: text('fingerprint').notNull(),
    /** SHA-256 (hex) of the whole file as delivered. */
    sha256: text('sha256').notNull(),
  },
  (t) => [
    index('sandbox_export_downloads_export_idx').on(t.exportId, t.at),
    uniqueIndex('sandbox_export_downloads_fingerprint_idx').on(t.fingerprint),
  ],
)
