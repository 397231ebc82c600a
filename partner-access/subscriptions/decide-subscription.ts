import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { refuseUnacceptedAgreements } from '../agreements/refuse-unaccepted-agreements.ts'

export const DECISION_COMMENT_MAX_LENGTH = 500

/**
 * The bureau's decision on a pending public-interest subscription (Art. 21):
 * approve (active, free of charge) or reject (with a comment saying why). Only
 * the bureau (or the CLI on its behalf: platform/identity/permissions.ts) decides.
 */
export async function decideSubscription(
  db: Db,
  opts: {
    subscriptionId: string
    decision: 'approve' | 'reject'
    comment?: string | null
    actor: Actor
    requestId?: string
    now?: number
  },
): Promise<Result<{ id: string; state: 'active' | 'rejected' }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'subscription.decide')
  if (denied) return denied
  const comment = opts.comment?.trim() || null
  if (opts.decision === 'reject' && !comment)
    return fail('validation', 'validation_failed', 'A rejection needs a comment', { comment: 'required' })
  if (comment && comment.length > DECISION_COMMENT_MAX_LENGTH) {
    return fail('validation', 'validation_failed', `The comment is at most ${DECISION_COMMENT_MAX_LENGTH} characters`, {
      comment: 'length',
    })
  }
  const [sub] = await db
    .select({
      id: subscriptions.id,
      state: subscriptions.state,
      purpose: subscriptions.purpose,
      partnerId: subscriptions.partnerId,
    })
    .from(subscriptions)
    .where(eq(subscriptions.id, opts.subscriptionId))
    .limit(1)
  if (!sub) return fail('not_found', 'subscription_not_found', 'No such subscription')
  if (sub.state !== 'pending') return fail('conflict', 'not_pending', `The subscription is ${sub.state}, not pending`)
  const state = opts.decision === 'approve' ? 'active' : 'rejected'
  const now = opts.now ?? Date.now()
  // Approval makes it active: only for a partner that accepted the agreements (ADR 0031).
  if (opts.decision === 'approve') {
    const unaccepted = await refuseUnacceptedAgreements(db, sub.partnerId, now)
    if (unaccepted) return unaccepted
  }
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: `subscription.${opts.decision}`,
      objectType: 'subscription',
      objectId: sub.id,
      requestId: opts.requestId,
      detail: { purpose: sub.purpose, comment },
    },
    [
      db
        .update(subscriptions)
        .set({ state, decidedByUserId: opts.actor.id, decidedAt: now, decisionComment: comment })
        .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.state, 'pending'))),
    ],
  )
  return ok({ id: sub.id, state })
}
