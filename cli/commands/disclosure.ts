import { cliActor } from '#platform/audit/record-audit.ts'
import { formatDay, formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { formatFenText } from '#billing/money/format.ts'
import { prepareDisclosure } from '#disclosure/editions/prepare-disclosure.ts'
import { disclosureDeadline } from '#disclosure/editions/disclosure-deadline.ts'
import { print, type CliCommand } from './command.ts'

// The annual disclosure (65号; ADR 0036): the operator's preparation from the command line. Publishing is the bureau's
// decision, in the UI only.
export const disclosureCommands: Record<string, CliCommand> = {
  'disclosure:prepare': {
    usage:
      'disclosure:prepare --year 2026 [--json]   freeze the year’s disclosure figures from the records as a new draft version (the narrative carries over)',
    options: { year: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.year !== 'string' || !/^\d{4}$/.test(flags.year)) {
        io.err('--year is required: a year such as 2026')
        return 2
      }
      const now = Date.now()
      const result = await prepareDisclosure(d.db, { year: flags.year, actor: cliActor(), now })
      if (!result.ok) {
        const fields = result.error.fields ? ` ${JSON.stringify(result.error.fields)}` : ''
        io.err(`${result.error.code}: ${result.error.message}${fields}`)
        return result.error.kind === 'validation' ? 2 : 1
      }
      const r = result.value
      const f = r.figures
      print(
        io,
        flags,
        {
          year: r.year,
          version: r.version,
          state: 'draft',
          figuresAt: formatIso(now),
          deadline: formatDay(disclosureDeadline(r.year) - 1),
          figures: f,
          narrative: r.narrative,
        },
        () =>
          [
            `Disclosure ${r.year}: version ${r.version} prepared (draft), figures as of ${formatIso(now)}; publish by ${formatDay(disclosureDeadline(r.year) - 1)}`,
            `  source units ${f.resources.sourceUnits.length}, datasets ${f.resources.datasets.length}, products ${f.products.length}`,
            `  price changes ${f.fees.priceChanges.length}, ceiling changes ${f.fees.ceilingChanges.length}`,
            f.cap
              ? `  revenue cap ${formatFenText(f.cap.maximumFen)}, paid ${formatFenText(f.cap.paidRevenueFen)}, carried on ${formatFenText(f.cap.excessFen)}`
              : '  revenue cap: no costs or revenue recorded',
          ].join('\n'),
      )
      return 0
    },
  },
}
