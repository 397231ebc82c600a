import { cliActor } from '#platform/audit/record-audit.ts'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { supervisionFeedConfigFromEnv } from '#supervision/feed/feed-config.ts'
import { getSupervisionFeedState, type SupervisionFeedState } from '#supervision/feed/get-supervision-feed-state.ts'
import { syncSupervisionFeed } from '#supervision/feed/sync-supervision-feed.ts'
import { print, type CliCommand } from './command.ts'

const when = (ms: number | null) => (ms === null ? '—' : formatIso(ms))

function stateLines(s: SupervisionFeedState): string[] {
  if (!s.enabled) return ['Supervision feed: off (set SUPERVISION_FEED_URL and SUPERVISION_FEED_KEY).']
  return [
    `Supervision feed → ${s.url}`,
    `  lag: ${s.lag.records} records not yet delivered (${s.lag.queued} queued, ${s.lag.notQueued} not yet queued)` +
      (s.lag.oldestAgeMs === null ? '' : `, oldest ${Math.round(s.lag.oldestAgeMs / 1000)} s old`),
    `  last delivered seq ${s.deliveredSeq} of ${s.lastQueuedSeq}; last success ${when(s.lastSuccessAt)}`,
    `  consecutive failures ${s.consecutiveFailures}; next attempt ${when(s.nextAttemptAt)}`,
    `  last error: ${s.lastError ?? '—'}${s.lastFailureAt ? ` (${when(s.lastFailureAt)})` : ''}`,
    ...(s.lastWarning ? [`  receiver warned: ${s.lastWarning}`] : []),
    `  audit head: #${s.auditHead.seq} ${s.auditHead.hash}`,
  ]
}

/** The log feed to the city's exchange platform (Art. 24; ADR 0025). */
export const supervisionFeedCommands: Record<string, CliCommand> = {
  'supervision:sync': {
    usage:
      'supervision:sync                              send the logs to the exchange platform now (SUPERVISION_FEED_URL + _KEY)',
    options: {},
    run: async (d, flags, io) => {
      const config = supervisionFeedConfigFromEnv()
      if (!config) {
        io.err('The supervision feed is off: set SUPERVISION_FEED_URL and SUPERVISION_FEED_KEY')
        return 1
      }
      // Now, backoff or not: a person asked.
      const report = await syncSupervisionFeed(d.db, { now: Date.now(), config, actor: cliActor(), force: true })
      const state = await getSupervisionFeedState(d.db, { now: Date.now(), config })
      const delivery = report.delivery
      print(io, flags, { enqueued: report.enqueued, delivery, state }, () =>
        [
          `queued ${
            Object.entries(report.enqueued)
              .map(([kind, n]) => `${n} ${kind}`)
              .join(', ') || 'nothing new'
          }`,
          `sent ${delivery?.batches ?? 0} batches, ${delivery?.delivered ?? 0} records (${delivery?.duplicates ?? 0} the exchange already had)` +
            (delivery?.failed ? `; FAILED: ${delivery.lastError}` : ''),
          ...stateLines(state),
        ].join('\n'),
      )
      return delivery?.failed ? 1 : 0
    },
  },
  'supervision:status': {
    usage: 'supervision:status                            the log feed: on/off, lag, last delivered seq, failures, next attempt',
    options: {},
    run: async (d, flags, io) => {
      const state = await getSupervisionFeedState(d.db, { now: Date.now() })
      print(io, flags, state, () => stateLines(state).join('\n'))
      return 0
    },
  },
}
