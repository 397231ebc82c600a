import type { Db } from '#db/client.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { supervisionFeedConfigFromEnv, type SupervisionFeedConfig } from './feed-config.ts'
import { syncSupervisionFeed, type SupervisionFeedSyncReport } from './sync-supervision-feed.ts'

/**
 * The bureau's "sync now" (and the CLI's `supervision:sync`): audited as asked, then the feed's job runs at once,
 * backoff or not (a person asked: the wait of a failure is not theirs). `conflict` / `supervision_feed_off` when
 * SUPERVISION_FEED_URL is unset.
 */
export async function requestSupervisionFeedSync(
  db: Db,
  opts: { actor: Actor; now: number; config?: SupervisionFeedConfig | null; timeoutMs?: number },
): Promise<Result<SupervisionFeedSyncReport>> {
  const refused = refuseUnlessPermitted(opts.actor, 'supervision_feed.sync')
  if (refused) return refused
  const config = opts.config === undefined ? supervisionFeedConfigFromEnv() : opts.config
  if (!config) return fail('conflict', 'supervision_feed_off', 'The supervision feed is off: SUPERVISION_FEED_URL is not set')
  await recordAudit(db, {
    actor: opts.actor,
    action: 'supervision_feed.sync_requested',
    objectType: 'supervision_feed',
    objectId: null,
  })
  return ok(await syncSupervisionFeed(db, { now: opts.now, config, actor: opts.actor, timeoutMs: opts.timeoutMs, force: true }))
}
