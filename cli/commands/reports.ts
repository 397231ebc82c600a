import { cliActor } from '#platform/audit/record-audit.ts'
import { previewReportFigures } from '#reporting/reports/preview-report-figures.ts'
import { figureLabel, formatFigureValue, SECTION_LABELS } from '#reporting/figures/figure-labels.ts'
import { print, type CliCommand } from './command.ts'

// Operation reports (Art. 25; ADR 0035).
export const reportsCommands: Record<string, CliCommand> = {
  'reports:generate': {
    usage:
      'reports:generate --period 2026-Q3|2026 [--json]   the figures of an operation report for a quarter or a year (Asia/Shanghai), as they stand now',
    options: { period: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.period !== 'string') {
        io.err('--period is required: a quarter (2026-Q3) or a year (2026)')
        return 2
      }
      const result = await previewReportFigures(d.db, { actor: cliActor(), period: flags.period })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message} (got ${JSON.stringify(flags.period.slice(0, 40))})`)
        return 2
      }
      const f = result.value
      print(io, flags, f, () =>
        [
          `Operation report ${f.period} (${f.from} – ${f.to}, Asia/Shanghai), figures as of ${f.generatedAt}`,
          ...f.sections.flatMap((s) => [
            '',
            `${SECTION_LABELS[s.key].en} / ${SECTION_LABELS[s.key].zh}`,
            ...s.figures.flatMap((fig) => [
              `  ${figureLabel(fig.key, 'en').padEnd(44)} ${formatFigureValue(fig.value, fig.unit)}`,
              ...(fig.rows ?? []).map(
                (r) => `      ${r.key.padEnd(40)} ${formatFigureValue(r.value, fig.unit)}${r.note ? `  (${r.note})` : ''}`,
              ),
            ]),
          ]),
        ].join('\n'),
      )
      return 0
    },
  },
}
