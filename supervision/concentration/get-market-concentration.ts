import { and, eq, gte, lt, ne, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { invoiceLines, invoices, partners, products, usageEvents } from '#db/schema/index.ts'
import { formatMonth, shiftMonth, parseMonth } from '#platform/calendar/shanghai-calendar.ts'
import { herfindahlIndex } from './herfindahl-index.ts'
import { findConcentrationThreshold } from './set-concentration-threshold.ts'

export interface MarketShare {
  partner: { id: string; code: string; name: string }
  calls: number
  callSharePercent: number
  revenueFen: number
  revenueSharePercent: number
}

export interface MarketMonth {
  month: string
  /** null: the whole platform; otherwise one product's market. */
  product: { id: string; code: string; name: string } | null
  calls: number
  revenueFen: number
  callsHhi: number | null
  revenueHhi: number | null
  /** Either index above the bureau's threshold. */
  isFlagged: boolean
  shares: MarketShare[]
}

export interface MarketConcentration {
  threshold: number
  thresholdSetAt: number | null
  months: string[]
  /** Per month, the whole platform first, then each product with calls or revenue. */
  markets: MarketMonth[]
}

/**
 * Concentration of the market (Art. 12(5): 防止垄断) per month (Asia/Shanghai) for the last `months` months up to
 * `month`: each partner's share of answered calls (usage_events, status < 400) and of revenue (invoice lines of
 * invoices not voided, by the month the usage happened in; public-interest lines are ¥0 and count for nothing), and
 * the Herfindahl–Hirschman index of each, overall and per product, flagged above the bureau's threshold.
 */
export async function getMarketConcentration(
  db: Db,
  opts: { month?: string | null; months?: number; now?: number } = {},
): Promise<MarketConcentration> {
  const last = opts.month && parseMonth(opts.month) ? opts.month : formatMonth(opts.now ?? Date.now())
  const count = Math.min(Math.max(opts.months ?? 6, 1), 24)
  const months = Array.from({ length: count }, (_, i) => shiftMonth(last, i - count + 1))
  const { threshold, setAt } = await findConcentrationThreshold(db)
  const partnerRows = await db.select({ id: partners.id, code: partners.code, name: partners.name }).from(partners)
  const partnerById = new Map(partnerRows.map((p) => [p.id, p]))
  const productRows = await db.select({ id: products.id, code: products.code, name: products.nameZh }).from(products)
  const productById = new Map(productRows.map((p) => [p.id, p]))

  const markets: MarketMonth[] = []
  for (const month of months) {
    const { start, end } = parseMonth(month)!
    const calls = await db
      .select({
        partnerId: usageEvents.partnerId,
        productId: usageEvents.productId,
        calls: sql<number>`sum(${usageEvents.calls})`,
      })
      .from(usageEvents)
      .where(and(gte(usageEvents.at, start), lt(usageEvents.at, end), lt(usageEvents.status, 400)))
      .groupBy(usageEvents.partnerId, usageEvents.productId)
    const revenue = await db
      .select({
        partnerId: invoices.partnerId,
        productId: invoiceLines.productId,
        fen: sql<number>`sum(${invoiceLines.amountFen})`,
      })
      .from(invoiceLines)
      .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
      .where(and(eq(invoiceLines.usagePeriod, month), ne(invoices.state, 'voided')))
      .groupBy(invoices.partnerId, invoiceLines.productId)
    const productIds = [...new Set([...calls.map((c) => c.productId), ...revenue.map((r) => r.productId)])].sort((a, b) =>
      (productById.get(a)?.code ?? a).localeCompare(productById.get(b)?.code ?? b),
    )
    const market = (productId: string | null): MarketMonth => {
      const callBy = new Map<string, number>()
      const fenBy = new Map<string, number>()
      for (const c of calls)
        if (productId === null || c.productId === productId)
          callBy.set(c.partnerId, (callBy.get(c.partnerId) ?? 0) + Number(c.calls))
      for (const r of revenue)
        if (productId === null || r.productId === productId) fenBy.set(r.partnerId, (fenBy.get(r.partnerId) ?? 0) + Number(r.fen))
      const byCalls = herfindahlIndex([...callBy].map(([key, amount]) => ({ key, amount })))
      const byRevenue = herfindahlIndex([...fenBy].map(([key, amount]) => ({ key, amount })))
      const ids = [...new Set([...callBy.keys(), ...fenBy.keys()])]
      const shares = ids
        .map((id) => ({
          partner: partnerById.get(id) ?? { id, code: id, name: id },
          calls: callBy.get(id) ?? 0,
          callSharePercent: byCalls.shares.find((s) => s.key === id)?.sharePercent ?? 0,
          revenueFen: fenBy.get(id) ?? 0,
          revenueSharePercent: byRevenue.shares.find((s) => s.key === id)?.sharePercent ?? 0,
        }))
        .sort((a, b) => b.calls - a.calls || b.revenueFen - a.revenueFen)
      const product =
        productId === null ? null : (productById.get(productId) ?? { id: productId, code: productId, name: productId })
      return {
        month,
        product,
        calls: [...callBy.values()].reduce((s, n) => s + n, 0),
        revenueFen: [...fenBy.values()].reduce((s, n) => s + n, 0),
        callsHhi: byCalls.hhi,
        revenueHhi: byRevenue.hhi,
        isFlagged: (byCalls.hhi ?? 0) > threshold || (byRevenue.hhi ?? 0) > threshold,
        shares,
      }
    }
    markets.push(market(null), ...productIds.map((id) => market(id)))
  }
  return { threshold, thresholdSetAt: setAt, months, markets }
}
