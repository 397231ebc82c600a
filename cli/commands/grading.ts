import { cliActor } from '#platform/audit/record-audit.ts'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { listDatasetLevels } from '#catalog/grading/list-dataset-levels.ts'
import { print, type CliCommand } from './command.ts'

// Grading by the source units (Art. 5; ADR 0037). The CLI lists; it never grades: the level is the source unit's
// decision, made in the UI (ADR 0021).
export const gradingCommands: Record<string, CliCommand> = {
  'datasets:levels': {
    usage:
      'datasets:levels [--json]                    each dataset with its level in force, the proposed and the confirmed level (by whom, when)',
    options: {},
    run: async (d, flags, io) => {
      const rows = await listDatasetLevels(d.db, { actor: cliActor() })
      const step = (s: { level: string; actorLabel: string | null; at: number } | null) =>
        s ? { level: s.level, by: s.actorLabel, at: formatIso(s.at) } : null
      const value = rows.map((r) => ({
        code: r.code,
        sourceUnit: r.sourceUnitCode,
        level: r.level,
        state: r.state,
        personal: r.hasPersonalFields,
        proposed: step(r.proposed),
        confirmed: step(r.confirmed),
        usageRequirements: r.usageRequirements,
      }))
      print(io, flags, value, () =>
        [
          'code            unit                  in force  state       proposed  confirmed',
          ...value.map(
            (r) =>
              `${r.code.padEnd(15)} ${r.sourceUnit.padEnd(21)} ${r.level.padEnd(9)} ${r.state.padEnd(11)} ${(r.proposed?.level ?? '—').padEnd(9)} ${
                r.confirmed ? `${r.confirmed.level} by ${r.confirmed.by ?? '—'} at ${r.confirmed.at}` : '—'
              }${r.personal ? '  (personal data: ≥ L2)' : ''}`,
          ),
        ].join('\n'),
      )
      return 0
    },
  },
}
