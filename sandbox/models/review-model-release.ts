import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { subscriptions } from '#db/schema/index.ts'
import { sandboxModels, type SandboxModelState } from '#db/schema/sandbox-models.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

export const MAX_REASON_LENGTH = 500

/**
 * A reviewer's decision on a model waiting for release (issue 13, ADR 0044): the operator first; for L3 data and above
 * the bureau after the operator. A refusal needs a reason and ends the request. Nobody decides on a request of their
 * own partner or their own making (`self_approval`). The last approval releases the model and records the billed
 * release (`model_releases`, charge unit model_release, Art. 22) in the same batch as its audit entry.
 */
export async function reviewModelRelease(
  db: Db,
  opts: { actor: Actor; modelId: string; decision: 'approve' | 'reject'; reason?: string; now: number },
): Promise<Result<{ state: SandboxModelState }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_model.review')
  if (denied) return denied
  const reason = (opts.reason ?? '').trim()
  if (opts.decision === 'reject' && reason.length === 0)
    return fail('validation', 'validation_failed', 'A refusal needs a reason', { reason: 'required' })
  if (reason.length > MAX_REASON_LENGTH)
    return fail('validation', 'validation_failed', 'The reason is too long', { reason: 'too_long' })
  const [row] = await db.select().from(sandboxModels).where(eq(sandboxModels.id, opts.modelId)).limit(1)
  if (!row) return fail('not_found', 'model_not_found', 'No such model')
  const stage: SandboxModelState = opts.actor.role === 'bureau' ? 'pending_bureau' : 'pending_operator'
  if (row.state !== stage) return fail('conflict', 'model_not_pending', `The model is ${row.state}, not waiting for this review`)
  if (
    (opts.actor.partnerId && opts.actor.partnerId === row.partnerId) ||
    (opts.actor.id !== null && opts.actor.id === row.requestedByUserId)
  )
    return fail('forbidden', 'self_approval', 'A reviewer never decides on their own or their own partner’s request')

  const reviewer = opts.actor.id ?? opts.actor.label
  const review =
    stage === 'pending_operator'
      ? { operatorReviewerId: reviewer, operatorReviewedAt: opts.now }
      : { bureauReviewerId: reviewer, bureauReviewedAt: opts.now }
  const next: SandboxModelState =
    opts.decision === 'reject' ? 'rejected' : stage === 'pending_operator' && row.bureauRequired ? 'pending_bureau' : 'released'
  // Guarded on the state read above: two reviewers at once cannot both take the same step.
  const unchanged = and(eq(sandboxModels.id, row.id), eq(sandboxModels.state, stage))
  const changes: BatchItem<'sqlite'>[] = []
  let releaseId: string | null = null
  if (next === 'released') {
    const [sub] = await db
      .select({ purpose: subscriptions.purpose })
      .from(subscriptions)
      .where(eq(subscriptions.id, row.subscriptionId))
      .limit(1)
    if (!sub) return fail('conflict', 'not_subscribed', 'The model’s subscription no longer exists')
    releaseId = randomUUID()
    // Inserted only if the guarded update above won (it set this release id): parallel approvals bill once.
    changes.push(
      db.run(sql`
        insert into model_releases (id, partner_id, product_id, subscription_id, purpose, released_at, description,
          recorded_by_user_id, created_at)
        select ${releaseId}, ${row.partnerId}, ${row.productId}, ${row.subscriptionId}, ${sub.purpose}, ${opts.now},
          ${`沙箱模型 ${row.id} (${row.kind})`}, ${opts.actor.id}, ${opts.now}
        where exists (select 1 from sandbox_models where id = ${row.id} and model_release_id = ${releaseId})`),
    )
  }
  changes.unshift(
    db
      .update(sandboxModels)
      .set({
        ...review,
        state: next,
        ...(next === 'rejected' ? { rejectedReason: reason } : {}),
        ...(next === 'released' ? { releasedAt: opts.now, modelReleaseId: releaseId } : {}),
      })
      .where(unchanged),
  )
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: `sandbox_model.${opts.decision}`,
      objectType: 'sandbox_model',
      objectId: row.id,
      detail: { stage, state: next, level: row.level, reason: reason || null, modelReleaseId: releaseId },
    },
    changes,
  )
  return ok({ state: next })
}
