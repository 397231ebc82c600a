import { cliActor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { listCases } from '#supervision/cases/list-cases.ts'
import { escalateOverdueCases } from '#supervision/cases/escalate-overdue-cases.ts'
import { print, type CliCommand } from './command.ts'

// Rectification cases (Art. 26–27; ADR 0028): cases:list, cases:escalate.
export const casesCommands: Record<string, CliCommand> = {
  'cases:list': {
    usage: 'cases:list [--state <state>]                  rectification cases, newest first (overdue ones flagged)',
    options: { state: { type: 'string' } },
    run: async (d, flags, io) => {
      const rows = await listCases(d.db, { actor: cliActor(), state: typeof flags.state === 'string' ? flags.state : null })
      print(io, flags, rows, () =>
        rows.length === 0
          ? 'No case.'
          : rows
              .map(
                (c) =>
                  `${c.code} ${c.state.padEnd(18)} ${(c.targetKind ?? '—').padEnd(13)} ${(c.targetCode ?? '').padEnd(16)} due ${c.deadlineOn ?? '—'}${c.isOverdue ? ' OVERDUE' : ''}  reported ${formatDay(c.createdAt)} by ${c.regulatorName ?? c.reporterName ?? c.reporterKind}`,
              )
              .join('\n'),
      )
      return 0
    },
  },
  'cases:escalate': {
    usage: 'cases:escalate                               run the deadline check now: escalate open cases past their deadline',
    options: {},
    run: async (d, flags, io) => {
      const result = await escalateOverdueCases(d.db, { actor: cliActor() })
      if (!result.ok) {
        io.err(result.error.message)
        return 1
      }
      const { escalated } = result.value
      print(io, flags, { escalated }, () =>
        escalated.length === 0
          ? 'No open case is past its deadline.'
          : [`Escalated ${escalated.length} case(s):`, ...escalated.map((c) => `  ${c.code} (deadline ${c.deadlineOn})`)].join(
              '\n',
            ),
      )
      return 0
    },
  },
}
