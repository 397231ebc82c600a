import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { id } from '../columns.ts'

// Reviewed model release (issue 13, ADR 0044): models a partner trains inside the sandbox on authorized features. The
// training rows never leave; the artifact (coefficients or a pruned tree) leaves once, after the reversibility checks
// and the reviewers' approvals.

export const SANDBOX_MODEL_KINDS = ['logistic_regression', 'decision_tree'] as const
export type SandboxModelKind = (typeof SANDBOX_MODEL_KINDS)[number]

/**
 * `trained` → (release request) `refused` when a reversibility check fails, else `pending_operator` → (operator
 * approves) `pending_bureau` for L3 and above, else `released`; `pending_bureau` → `released`. A reviewer's refusal
 * ends it as `rejected`.
 */
export const SANDBOX_MODEL_STATES = ['trained', 'refused', 'pending_operator', 'pending_bureau', 'rejected', 'released'] as const
export type SandboxModelState = (typeof SANDBOX_MODEL_STATES)[number]

export const sandboxModels = sqliteTable(
  'sandbox_models',
  {
    id: id(),
    partnerId: text('partner_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    productId: text('product_id').notNull(),
    /** The key the model was trained with (null when trained otherwise). */
    apiKeyId: text('api_key_id'),
    requestId: text('request_id').notNull(),
    trainedAt: integer('trained_at').notNull(),
    kind: text('kind', { enum: SANDBOX_MODEL_KINDS }).notNull(),
    /** The training specification as sent (JSON, after validation). */
    spec: text('spec').notNull(),
    /** The strictest level of the datasets read: L3 and above need the bureau's approval too. */
    level: text('level').notNull(),
    /** The minimum group size of that level: every tree leaf must hold at least k training subjects. */
    k: integer('k').notNull(),
    trainRows: integer('train_rows').notNull(),
    testRows: integer('test_rows').notNull(),
    computeMs: integer('compute_ms').notNull(),
    /** JSON: accuracy, AUC and confusion counts on the held-out split (and on the training split). */
    metrics: text('metrics').notNull(),
    /** JSON: every reversibility check with its measure and outcome (ADR 0044). */
    checks: text('checks').notNull(),
    /** JSON: the artifact that would leave. Internal until released; never training rows. */
    artifact: text('artifact').notNull(),
    state: text('state', { enum: SANDBOX_MODEL_STATES }).notNull(),
    /** The failing check's code when refused. */
    refusalCode: text('refusal_code'),
    requestedAt: integer('requested_at'),
    /** The partner user who asked (null when asked with an API key). */
    requestedByUserId: text('requested_by_user_id'),
    bureauRequired: integer('bureau_required', { mode: 'boolean' }).notNull(),
    operatorReviewerId: text('operator_reviewer_id'),
    operatorReviewedAt: integer('operator_reviewed_at'),
    bureauReviewerId: text('bureau_reviewer_id'),
    bureauReviewedAt: integer('bureau_reviewed_at'),
    rejectedReason: text('rejected_reason'),
    releasedAt: integer('released_at'),
    /** The billed release (`model_releases.id`, charge unit model_release). */
    modelReleaseId: text('model_release_id'),
    /** Set by the one download a release allows. */
    downloadedAt: integer('downloaded_at'),
  },
  (t) => [
    index('sandbox_models_partner_idx').on(t.partnerId, t.trainedAt),
    index('sandbox_models_state_idx').on(t.state, t.requestedAt),
  ],
)
