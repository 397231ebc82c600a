import { migrateDatabase } from '#db/migrate.ts'
import { verifyAuditChain } from '#platform/audit/verify-audit-chain.ts'
import { listPartners } from '#partner-access/partners/list-partners.ts'
import { latestExitByPartner } from '#partner-access/exits/list-partner-exits.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { listProducts } from '#catalog/products/list-products.ts'
import { summarizeUsage } from '#partner-access/usage/summarize-usage.ts'
import { print, type CliCommand } from './command.ts'

// Foundation commands: database, audit, partners, products, keys, usage.
export const coreCommands: Record<string, CliCommand> = {
  'db:migrate': {
    usage: 'db:migrate                                  apply committed migrations',
    options: {},
    run: async (d, flags, io) => {
      await migrateDatabase(d.db)
      print(io, flags, { migrated: true, database: d.url }, () => `Migrations applied to ${d.url}`)
      return 0
    },
  },
  'db:seed': {
    usage: 'db:seed [--scale small|city] [--seed <s>]   (re)generate the synthetic city and demo organisations',
    options: { scale: { type: 'string' }, seed: { type: 'string' } },
    run: async (d, flags, io) => {
      const scale = (flags.scale as string | undefined) ?? 'city'
      if (scale !== 'small' && scale !== 'city') {
        io.err(`--scale must be small or city (got ${scale})`)
        return 2
      }
      await migrateDatabase(d.db)
      // The seed is loaded only by this command (a production process never loads seed code).
      const { seedCity } = await import('#seed/seed-city.ts')
      const { seedPlatform } = await import('#seed/seed-platform.ts')
      const started = Date.now()
      const counts = await seedCity(d.db, {
        scale,
        seed: flags.seed as string | undefined,
        onProgress: flags.json ? undefined : (table, done, total) => done === total && io.out(`  ${table}: ${total}`),
      })
      // With the demo's year of history (calls, closed months, invoices): what a demo install starts with.
      await seedPlatform(d.db, { history: { events: scale === 'small' ? 6_000 : undefined } })
      print(io, flags, { scale, counts, ms: Date.now() - started }, () => `Seeded ${scale} city in ${Date.now() - started} ms`)
      return 0
    },
  },
  'audit:verify': {
    usage: 'audit:verify                                walk the audit hash chain; exit 1 at the first altered/removed entry',
    options: {},
    run: async (d, flags, io) => {
      const report = await verifyAuditChain(d.db)
      print(io, flags, report, () =>
        report.ok
          ? `Audit chain intact: ${report.entries} entries.`
          : `AUDIT CHAIN BROKEN at entry #${report.firstBadSeq}: ${report.message}`,
      )
      return report.ok ? 0 : 1
    },
  },
  'partners:list': {
    usage: 'partners:list                               list partners',
    options: {},
    run: async (d, flags, io) => {
      const exits = await latestExitByPartner(d.db)
      // exitKind/exitState/exitOn: the partner's latest exit (ADR 0033), null when none.
      const rows = (await listPartners(d.db)).map((r) => {
        const exit = exits.get(r.id)
        return {
          ...r,
          exitKind: exit?.kind ?? null,
          exitState: exit?.state ?? null,
          exitOn: exit ? formatDay(exit.exitAt) : null,
        }
      })
      print(io, flags, rows, () =>
        rows
          .map(
            (r) =>
              `${r.code.padEnd(18)} ${r.kind.padEnd(20)} ${r.state.padEnd(9)} subs=${r.subscriptions} ${r.name}${r.exitKind ? ` exit=${r.exitKind}/${r.exitState} ${r.exitOn}` : ''}`,
          )
          .join('\n'),
      )
      return 0
    },
  },
  'products:list': {
    usage: 'products:list                               list products',
    options: {},
    run: async (d, flags, io) => {
      const rows = await listProducts(d.db)
      print(io, flags, rows, () =>
        rows.map((r) => `${r.code.padEnd(30)} ${r.form.padEnd(13)} ${r.level} ${r.state.padEnd(10)} ${r.nameZh}`).join('\n'),
      )
      return 0
    },
  },
  'usage:summary': {
    usage: 'usage:summary [--partner <code>] [--days N] answered calls by product, partner and day',
    options: { partner: { type: 'string' }, days: { type: 'string' } },
    run: async (d, flags, io) => {
      const days = flags.days ? Number(flags.days) : 30
      if (!Number.isInteger(days) || days < 1 || days > 3660) {
        io.err('--days must be a whole number from 1 to 3660')
        return 2
      }
      let partnerId: string | null = null
      if (typeof flags.partner === 'string') {
        const partner = (await listPartners(d.db)).find((p) => p.code === flags.partner)
        if (!partner) {
          io.err(`partner_not_found: no partner with code ${flags.partner}`)
          return 1
        }
        partnerId = partner.id
      }
      const s = await summarizeUsage(d.db, { partnerId, days, recentLimit: 10 })
      print(io, flags, s, () =>
        [
          `Answered calls in the last ${days} days: ${s.totalCalls}`,
          ...s.byProduct.map((p) => `  ${p.productCode.padEnd(30)} ${p.purpose.padEnd(16)} ${p.calls}`),
          ...s.byPartner.map((p) => `  partner ${p.partnerCode.padEnd(22)} ${p.calls}`),
        ].join('\n'),
      )
      return 0
    },
  },
}
