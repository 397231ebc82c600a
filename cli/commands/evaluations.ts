import { cliActor } from '#platform/audit/record-audit.ts'
import { findEvaluation, listEvaluations } from '#evaluation/find-evaluations.ts'
import { formatPoints } from '#evaluation/evaluation-rules.ts'
import { print, type CliCommand } from './command.ts'

// Evaluations (Art. 18–20; ADR 0034): a read of every evaluation and its subjects' results. Opening, scoring and
// publishing are the bureau's decisions in the UI (no CLI, as prices and reviews).
export const evaluationsCommands: Record<string, CliCommand> = {
  'evaluations:list': {
    usage: 'evaluations:list [--json]   every evaluation with its subjects: state, total, pass or fail, assessment exit',
    options: {},
    run: async (d, flags, io) => {
      const actor = cliActor()
      const rows = await Promise.all(
        (await listEvaluations(d.db, { actor })).map(async (e) => {
          const detail = await findEvaluation(d.db, { actor, code: e.code })
          return {
            ...e,
            subjects: (detail?.subjects ?? []).map((s) => ({
              kind: s.kind,
              code: s.code,
              name: s.name,
              state: s.state,
              total: s.totalHundredths === null ? null : formatPoints(s.totalHundredths),
              passed: s.passed,
              evidence: s.evidence,
              exit: s.exit ? { state: s.exit.state, exitOn: s.exit.exitOn } : null,
            })),
          }
        }),
      )
      print(io, flags, { evaluations: rows }, () =>
        rows.length === 0
          ? 'No evaluations.'
          : rows
              .map((e) =>
                [
                  `${e.code}  ${e.title}  period ${e.period}  deadline ${e.deadlineOn}  published ${e.published}/${e.subjects.length}`,
                  ...e.subjects.map(
                    (s) =>
                      `  ${s.kind.padEnd(11)} ${(s.code ?? '-').padEnd(20)} ${s.state.padEnd(9)} ${s.total ?? '-'}${
                        s.passed === null ? '' : s.passed ? ' pass' : ' FAIL'
                      }${s.exit ? `  exit ${s.exit.state} ${s.exit.exitOn}` : ''}`,
                  ),
                ].join('\n'),
              )
              .join('\n'),
      )
      return 0
    },
  },
}
