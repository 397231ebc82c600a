import { cliActor } from '#platform/audit/record-audit.ts'
import { formatDay, parseInstant } from '#platform/calendar/shanghai-calendar.ts'
import { executeDueExits, executePartnerExit } from '#partner-access/exits/execute-partner-exit.ts'
import { startPartnerExit } from '#partner-access/exits/start-partner-exit.ts'
import { getMarketConcentration } from '#supervision/concentration/get-market-concentration.ts'
import { print, type CliCommand } from './command.ts'

// Partner exit (Art. 12(4)) and the concentration watch (Art. 12(5)); ADR 0033.
export const exitsCommands: Record<string, CliCommand> = {
  'partners:exit': {
    usage:
      'partners:exit <code> --kind voluntary|breach|assessment|qualification|credit --reason <r> [--source <case/record/evaluation>] [--at <date>]   exit a partner (now, or notice for a later date)',
    options: {
      kind: { type: 'string' },
      reason: { type: 'string' },
      source: { type: 'string' },
      at: { type: 'string' },
    },
    positionals: 1,
    run: async (d, flags, io, positionals) => {
      const code = positionals[0]
      if (!code) {
        io.err('usage: partners:exit <code> --kind … --reason …')
        return 2
      }
      const now = Date.now()
      let exitAt: number | null = null
      if (typeof flags.at === 'string') {
        exitAt = parseInstant(flags.at)
        if (exitAt === null) {
          io.err('--at must be a date YYYY-MM-DD (Asia/Shanghai) or a date-time with an offset')
          return 2
        }
      }
      const actor = cliActor()
      const started = await startPartnerExit(d.db, {
        actor,
        now,
        input: {
          partnerCode: code,
          kind: String(flags.kind ?? ''),
          reason: String(flags.reason ?? ''),
          sourceRef: typeof flags.source === 'string' ? flags.source : null,
          exitAt: exitAt === null ? now : Math.max(exitAt, now),
        },
      })
      if (!started.ok) {
        const fields = started.error.fields ? ` ${JSON.stringify(started.error.fields)}` : ''
        io.err(`${started.error.code}: ${started.error.message}${fields}`)
        return 1
      }
      // An exit date today or earlier is carried out at once; a later one waits for the scheduler (partners:exit-due).
      if (started.value.exitAt > now) {
        print(
          io,
          flags,
          { state: 'noticed', ...started.value },
          () => `Exit of ${code} noticed; it takes effect on ${formatDay(started.value.exitAt)}.`,
        )
        return 0
      }
      const executed = await executePartnerExit(d.db, { exitId: started.value.id, actor, now })
      if (!executed.ok) {
        io.err(`${executed.error.code}: ${executed.error.message}`)
        return 1
      }
      const o = executed.value
      print(io, flags, { state: 'executed', ...o }, () =>
        [
          `${o.partnerCode} exited (${o.kind}), certificate ${o.certificateNumber}`,
          `  subscriptions ended ${o.subscriptionsEnded}, keys stopped ${o.keysStopped}`,
          `  report exports deleted ${o.exportsDeleted} (${o.exportBytesDeleted} bytes)`,
          `  final draft invoice ${o.finalInvoice.period}: ¥${(o.finalInvoice.totalFen / 100).toFixed(2)}`,
          ...(o.creditRecordCode ? [`  credit record ${o.creditRecordCode}`] : []),
        ].join('\n'),
      )
      return 0
    },
  },
  'partners:exit-due': {
    usage:
      'partners:exit-due                           execute the exits whose date has come (the scheduler does it every minute)',
    options: {},
    run: async (d, flags, io) => {
      const done = await executeDueExits(d.db, { actor: cliActor() })
      print(io, flags, done, () =>
        done.length === 0
          ? 'No exit is due.'
          : done.map((o) => `${o.partnerCode} exited (${o.kind}) ${o.certificateNumber}`).join('\n'),
      )
      return 0
    },
  },
  'market:concentration': {
    usage: 'market:concentration [--month YYYY-MM] [--months N]   shares of calls and revenue, HHI, flags (Art. 12(5))',
    options: { month: { type: 'string' }, months: { type: 'string' } },
    run: async (d, flags, io) => {
      const months = flags.months === undefined ? 6 : Number(flags.months)
      if (!Number.isInteger(months) || months < 1 || months > 24) {
        io.err('--months must be a whole number from 1 to 24')
        return 2
      }
      const result = await getMarketConcentration(d.db, {
        month: typeof flags.month === 'string' ? flags.month : null,
        months,
      })
      print(io, flags, result, () =>
        [
          `threshold ${result.threshold}`,
          ...result.markets.map(
            (m) =>
              `${m.month} ${(m.product?.code ?? 'ALL').padEnd(32)} calls=${m.calls} hhi=${m.callsHhi ?? '—'} revenue=¥${(m.revenueFen / 100).toFixed(2)} hhi=${m.revenueHhi ?? '—'}${m.isFlagged ? ' FLAGGED' : ''}`,
          ),
        ].join('\n'),
      )
      return 0
    },
  },
}
