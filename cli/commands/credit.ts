import { listPartners } from '#partner-access/partners/list-partners.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { exportCreditRecords } from '#supervision/credit/export-credit-records.ts'
import { listCreditRecords } from '#supervision/credit/list-credit-records.ts'
import type { CliCommand } from './command.ts'

// Credit records (Art. 28) for the city's credit platform: the same export as the bureau's download.
export const creditCommands: Record<string, CliCommand> = {
  'credit:list': {
    usage: 'credit:list [--partner <code>] [--active] [--format csv|json] [--json]   violation records (Art. 28)',
    options: { partner: { type: 'string' }, active: { type: 'boolean' }, format: { type: 'string' } },
    run: async (d, flags, io) => {
      const format = flags.json ? 'json' : ((flags.format as string | undefined) ?? 'text')
      if (!['text', 'csv', 'json'].includes(format)) {
        io.err('--format must be csv or json')
        return 2
      }
      const onlyActive = flags.active === true
      let partnerId: string | null = null
      if (typeof flags.partner === 'string') {
        const partner = (await listPartners(d.db)).find((p) => p.code === flags.partner)
        if (!partner) {
          io.err(`partner_not_found: no partner with code ${flags.partner}`)
          return 1
        }
        partnerId = partner.id
      }
      if (format === 'text') {
        const records = await listCreditRecords(d.db, { onlyActive, partnerId })
        if (records.length === 0) io.out('No credit records')
        for (const r of records)
          io.out(
            `${r.code}  ${(r.partner?.code ?? 'operator').padEnd(20)} ${r.severity.padEnd(7)} ${r.status.padEnd(8)} ` +
              `${formatDay(r.occurredAt)}..${formatDay(r.expiresAt)}  ${r.description}`,
          )
        return 0
      }
      const exported = await exportCreditRecords(d.db, { format: format as 'csv' | 'json', onlyActive, partnerId })
      // The CSV's BOM is for spreadsheets opening a file; a pipe gets the rows alone.
      io.out(exported.body.replace(/^\uFEFF/, '').replace(/\r\n$/, ''))
      return 0
    },
  },
}
