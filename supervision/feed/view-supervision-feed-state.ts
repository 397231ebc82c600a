import type { Db } from '#db/client.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { ok, type Result } from '#platform/result.ts'
import type { SupervisionFeedConfig } from './feed-config.ts'
import { getSupervisionFeedState, type SupervisionFeedState } from './get-supervision-feed-state.ts'

/**
 * The feed's state as a person sees it on /bureau/supervision-feed: the bureau, or a third-party auditor, whose every
 * read is itself audited (Art. 24; ADR 0026).
 */
export async function viewSupervisionFeedState(
  db: Db,
  opts: { actor: Actor; now: number; config?: SupervisionFeedConfig | null },
): Promise<Result<SupervisionFeedState>> {
  const refused = refuseUnlessPermitted(opts.actor, 'supervision_feed.view')
  if (refused) return refused
  const state = await getSupervisionFeedState(db, { now: opts.now, config: opts.config })
  if (opts.actor.role === 'auditor')
    await recordAudit(db, {
      actor: opts.actor,
      action: 'supervision_feed.viewed',
      objectType: 'supervision_feed',
      objectId: null,
      detail: { deliveredSeq: state.deliveredSeq, lag: state.lag.records },
    })
  return ok(state)
}
