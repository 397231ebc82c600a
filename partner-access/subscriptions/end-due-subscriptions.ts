import { and, eq, isNotNull, lte } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { subscriptions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'

/**
 * Cancelled subscriptions whose period is over are marked `ended` (ADR 0032): the gateway already refuses their keys
 * from `endsAt` on (decide-access), this makes the state say so on every page, frees the partner's slot for that
 * product and purpose, and lets the Lago mirror terminate them. One audit entry per run, with the ids. Idempotent: the
 * update is guarded by the state, so a parallel run ends nothing twice.
 */
export async function endDueSubscriptions(db: Db, opts: { actor: Actor; now?: number }): Promise<{ ended: string[] }> {
  assertPermitted(opts.actor, 'subscription.end_due')
  const now = opts.now ?? Date.now()
  const due = await db
    .select({ id: subscriptions.id, endsAt: subscriptions.endsAt })
    .from(subscriptions)
    .where(and(eq(subscriptions.state, 'active'), isNotNull(subscriptions.endsAt), lte(subscriptions.endsAt, now)))
  if (due.length === 0) return { ended: [] }
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'subscription.end_due',
      objectType: 'subscription',
      objectId: null,
      detail: { ended: due.map((d) => d.id).slice(0, 500), count: due.length },
    },
    due.map((d) =>
      db
        .update(subscriptions)
        .set({ state: 'ended', endedAt: d.endsAt })
        .where(and(eq(subscriptions.id, d.id), eq(subscriptions.state, 'active'))),
    ),
  )
  return { ended: due.map((d) => d.id) }
}
