import { cliActor } from '#platform/audit/record-audit.ts'
import { listPartners } from '#partner-access/partners/list-partners.ts'
import { listPricesInForce } from '#billing/price-books/list-prices-in-force.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { previewBillingPeriod } from '#billing/invoices/preview-billing-period.ts'
import type { InvoiceView } from '#billing/invoices/invoice-view.ts'
import { formatFenText } from '#billing/money/format.ts'
import { parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { lagoConfigFromEnv } from '#billing/lago/lago-config.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { syncLagoOutbox } from '#billing/lago/sync-lago-outbox.ts'
import { getLagoOutboxState } from '#billing/lago/get-lago-outbox-state.ts'
import { print, type CliCommand, type Io } from './command.ts'

/** What `billing:close --json` and `billing:preview --json` print per invoice. */
export function invoiceJson(i: InvoiceView) {
  return {
    number: i.number,
    state: i.state,
    period: i.period,
    partner: { code: i.partner.code, name: i.partner.name },
    events: i.events,
    lines: i.lines.map((l) => ({
      kind: l.kind,
      product: l.product,
      charge: l.charge,
      purpose: l.purpose,
      usagePeriod: l.usagePeriod,
      priceBookVersion: l.priceBookVersion,
      units: l.units,
      unitPrice: l.unitPrice,
      amountFen: l.amountFen,
      waivedFen: l.waivedFen,
      unpriced: l.unpriced,
    })),
    subtotalFen: i.subtotalFen,
    vatRate: i.vatRate,
    vatFen: i.vatFen,
    totalFen: i.totalFen,
    waivedFen: i.waivedFen,
  }
}

function invoicesText(invoices: InvoiceView[]): string[] {
  const out: string[] = []
  for (const i of invoices) {
    out.push(`${i.number ?? `(${i.state})`}  ${i.partner.code}  ${i.partner.name}`)
    for (const l of i.lines) {
      const tag = l.unpriced ? ' UNPRICED' : l.kind === 'adjustment' ? ` late ${l.usagePeriod}` : ''
      const waived = l.waivedFen ? `  waived ${formatFenText(l.waivedFen)}` : ''
      out.push(
        `  ${String(l.lineNo).padStart(3)} ${l.product.padEnd(28)} ${l.charge.padEnd(13)} ${l.purpose.padEnd(15)} ${l.units.padStart(10)} × ${l.unitPrice.padStart(8)} fen = ${formatFenText(l.amountFen).padStart(12)}${waived}${tag}`,
      )
    }
    out.push(
      `      subtotal ${formatFenText(i.subtotalFen)}  VAT ${formatFenText(i.vatFen)}  total ${formatFenText(i.totalFen)}  waived ${formatFenText(i.waivedFen)}`,
    )
  }
  if (invoices.length === 0) out.push('No invoices: no usage and no fixed fees.')
  return out
}

/** A progress bar on stderr: redrawn in place on a terminal, else one line per tenth. */
function progressBar(io: Io) {
  const tty = io.err === console.error && process.stderr.isTTY
  let lastTenth = -1
  return (done: number, total: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1
    const filled = Math.round(ratio * 30)
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} steps (days of the period, then late events)`
    if (tty) {
      process.stderr.write(`\r${bar}${ratio === 1 ? '\n' : ''}`)
      return
    }
    const tenth = Math.floor(ratio * 10)
    if (tenth !== lastTenth) {
      lastTenth = tenth
      io.err(bar)
    }
  }
}

// Billing commands.
export const billingCommands: Record<string, CliCommand> = {
  'prices:list': {
    usage: 'prices:list [--at YYYY-MM-DD]                prices in force per product and charge unit, with the ceilings',
    options: { at: { type: 'string' } },
    run: async (d, flags, io) => {
      let at = Date.now()
      if (typeof flags.at === 'string') {
        const parsed = parseDay(flags.at.trim())
        if (parsed === null) {
          io.err('--at must be a date YYYY-MM-DD')
          return 2
        }
        at = parsed
      }
      const rows = await listPricesInForce(d.db, { at })
      print(io, flags, rows, () =>
        rows
          .map((p) =>
            [
              `${p.productCode}  ${p.nameZh}  ${p.priceBook ? `v${p.priceBook.version}${p.priceBook.isTrial ? ' (试行 trial)' : ''}` : 'no approved price'}`,
              ...p.charges.map(
                (c) =>
                  `  ${c.chargeUnit.padEnd(14)} ceiling ${(c.ceiling?.maxUnitPrice ?? '—').padStart(8)} fen   price ${c.price ? `${c.price.model} ${JSON.stringify(c.price.properties)}` : '—'}`,
              ),
            ].join('\n'),
          )
          .join('\n'),
      )
      return 0
    },
  },
  'billing:close': {
    usage: 'billing:close --period YYYY-MM               close a period: rate its usage, one draft invoice per partner',
    options: { period: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.period !== 'string') {
        io.err('billing:close needs --period YYYY-MM')
        return 2
      }
      const result = await closeBillingPeriod(d.db, {
        period: flags.period,
        actor: cliActor(),
        onProgress: flags.json ? undefined : progressBar(io),
      })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return result.error.kind === 'validation' ? 2 : 1
      }
      const c = result.value
      print(
        io,
        flags,
        {
          period: c.period,
          alreadyClosed: c.alreadyClosed,
          closedAt: c.closedAt,
          eventsRated: c.eventsRated,
          lateEvents: c.lateEvents,
          unpricedEvents: c.unpricedEvents,
          invoices: c.invoices.map(invoiceJson),
        },
        () =>
          [
            c.alreadyClosed
              ? `${c.period} was already closed (${new Date(c.closedAt).toISOString()}); nothing changed.`
              : `Closed ${c.period}: ${c.eventsRated} events rated (${c.lateEvents} late, ${c.unpricedEvents} unpriced), ${c.invoices.length} draft invoices.`,
            ...invoicesText(c.invoices),
          ].join('\n'),
      )
      return 0
    },
  },
  'billing:preview': {
    usage: 'billing:preview --period YYYY-MM [--partner <code>]  the invoices closing would make now; nothing is stored',
    options: { period: { type: 'string' }, partner: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.period !== 'string') {
        io.err('billing:preview needs --period YYYY-MM')
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
      const result = await previewBillingPeriod(d.db, { period: flags.period, partnerId })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return result.error.kind === 'validation' ? 2 : 1
      }
      const p = result.value
      print(
        io,
        flags,
        {
          period: p.period,
          preview: true,
          eventsRated: p.eventsRated,
          lateEvents: p.lateEvents,
          unpricedEvents: p.unpricedEvents,
          invoices: p.invoices.map(invoiceJson),
        },
        () => [`Preview of ${p.period} (nothing stored): ${p.eventsRated} events`, ...invoicesText(p.invoices)].join('\n'),
      )
      return 0
    },
  },
  'lago:sync': {
    usage:
      'lago:sync                                     mirror to Lago now and drain the usage-event outbox (LAGO_API_URL + LAGO_API_KEY)',
    options: {},
    run: async (d, flags, io) => {
      const config = lagoConfigFromEnv()
      if (!config) {
        io.err('Lago is not configured: set LAGO_API_URL and LAGO_API_KEY')
        return 1
      }
      const now = Date.now()
      // Drain now: keep running while a run delivers something and Lago is not failing.
      let report = await syncLagoOutbox(d.db, { now, config, actor: cliActor() })
      const total = { enqueued: report.enqueued, delivered: 0, duplicates: 0, failed: 0 }
      for (;;) {
        total.delivered += report.delivery?.delivered ?? 0
        total.duplicates += report.delivery?.duplicates ?? 0
        total.failed += report.delivery?.failed ?? 0
        if (!report.delivery || report.delivery.failed > 0 || report.delivery.delivered + report.delivery.duplicates === 0) break
        report = await syncLagoOutbox(d.db, { now: Date.now(), config, actor: cliActor() })
        total.enqueued += report.enqueued
      }
      const state = await getLagoOutboxState(d.db, { now: Date.now() })
      print(io, flags, { ...total, mirror: report.mirror, outbox: state }, () =>
        [
          `Lago ${config.apiUrl}: enqueued ${total.enqueued} usage events, delivered ${total.delivered} (already there ${total.duplicates}), failed ${total.failed}`,
          `outbox: ${state.pending} pending (${state.failing} failing), ${state.delivered} delivered${state.lastError ? `; last error: ${state.lastError}` : ''}`,
          report.mirror?.lastError ? `mirror: ${report.mirror.failed} failed; ${report.mirror.lastError}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
      return state.pending > 0 ? 1 : 0
    },
  },
  'billing:mark-paid': {
    usage:
      'billing:mark-paid --number SYGD-YYYY-NNNNNN     record the payment of a finalized invoice (max-allowed-revenue tracking)',
    options: { number: { type: 'string' } },
    run: async (d, flags, io) => {
      if (typeof flags.number !== 'string') {
        io.err('billing:mark-paid needs --number SYGD-YYYY-NNNNNN')
        return 2
      }
      const result = await markInvoicePaid(d.db, { number: flags.number, paidAt: Date.now(), actor: cliActor() })
      if (!result.ok) {
        io.err(`${result.error.code}: ${result.error.message}`)
        return 1
      }
      print(
        io,
        flags,
        { number: flags.number, paidAt: result.value.paidAt },
        () => `${flags.number as string} paid at ${new Date(result.value.paidAt).toISOString()}`,
      )
      return 0
    },
  },
}
