import { cliActor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { listRetentionPolicies } from '#supervision/retention/list-retention-policies.ts'
import { LOG_KINDS } from '#supervision/retention/log-tables.ts'
import { purgeLogs } from '#supervision/retention/purge-logs.ts'
import { print, type CliCommand } from './command.ts'

// Log retention (Art. 17; ADR 0027). The bureau sets the policies in the UI (/bureau/retention); the CLI lists them
// and purges under them. The database's triggers keep the legal minimum whatever runs.
const actor = cliActor()

export const retentionCommands: Record<string, CliCommand> = {
  'logs:retention': {
    usage: 'logs:retention                                             the retention policy per log kind and its horizons',
    options: {},
    run: async (d, flags, io) => {
      const views = await listRetentionPolicies(d.db)
      print(io, flags, views, () =>
        views
          .map((v) =>
            v.policy
              ? `${v.kind}: keep ${v.policy.keepMonths} months (set by ${v.policy.setByLabel}); purgeable: anchored before ${formatDay(v.purgeBefore!)}`
              : `${v.kind}: no policy (never purged); legal minimum: anchored before ${formatDay(v.legalBefore)}`,
          )
          .join('\n'),
      )
      return 0
    },
  },
  'logs:purge': {
    usage: `logs:purge --kind ${LOG_KINDS.join('|')} [--dry-run]        delete logs past the legal minimum and the bureau's policy`,
    options: { kind: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    run: async (d, flags, io) => {
      if (typeof flags.kind !== 'string' || flags.kind === '') {
        io.err(`logs:purge needs --kind ${LOG_KINDS.join('|')}`)
        return 2
      }
      const result = await purgeLogs(d.db, { kind: flags.kind, actor, dryRun: flags['dry-run'] === true })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return 1
      }
      const r = result.value
      print(io, flags, r, () =>
        [
          `${r.dryRun ? 'Would delete' : 'Deleted'} ${r.rows} ${r.kind} log rows anchored before ${formatDay(r.purgeBefore)} (policy: ${r.keepMonths} months)`,
          ...r.tables.map((t) => `  ${t.table}: ${t.rows}`),
        ].join('\n'),
      )
      return 0
    },
  },
}
