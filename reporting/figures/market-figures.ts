import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import type { ReportPeriod } from '../periods/report-period.ts'
import { breakdown, figure, groupBy, ratio, type Figure, type ReportSection } from './figure-types.ts'
import type { UsageGroup } from './usage-groups.ts'

// Market operation (Art. 21–23, 12): revenue by the invoices of the period's months (net of VAT, as the revenue cap
// counts it; voided invoices count for nothing), the public-interest share, compensation of source units, partners
// joined and exited.

export interface InvoiceGroup {
  month: string
  state: 'draft' | 'finalized' | 'voided'
  subtotalFen: number
  waivedFen: number
  paidFen: number
}

const sumOf = (groups: InvoiceGroup[], pick: (g: InvoiceGroup) => number) => groups.reduce((s, g) => s + pick(g), 0)

export function revenueFigures(groups: InvoiceGroup[], p: ReportPeriod): Figure[] {
  const finalized = groups.filter((g) => g.state === 'finalized')
  const byMonth = groupBy(finalized, (g) => g.month)
  const monthly = (key: string, pick: (g: InvoiceGroup) => number): Figure => ({
    key,
    unit: 'fen',
    value: sumOf(finalized, pick),
    rows: p.months.map((m) => ({ key: m, label: m, value: sumOf(byMonth.get(m) ?? [], pick) })),
  })
  return [
    monthly('revenue_charged_fen', (g) => g.subtotalFen),
    figure(
      'revenue_paid_fen',
      'fen',
      sumOf(finalized, (g) => g.paidFen),
    ),
    figure(
      'revenue_unpaid_fen',
      'fen',
      sumOf(finalized, (g) => g.subtotalFen - g.paidFen),
    ),
    monthly('revenue_waived_fen', (g) => g.waivedFen),
    figure(
      'revenue_draft_fen',
      'fen',
      sumOf(
        groups.filter((g) => g.state === 'draft'),
        (g) => g.subtotalFen,
      ),
    ),
  ]
}

/** Public-interest calls over all answered calls (Art. 21: free public-interest supply). */
export function publicInterestShare(groups: UsageGroup[]): Figure {
  const all = groups.reduce((s, g) => s + g.calls, 0)
  const pi = groups.filter((g) => g.purpose === 'public_interest').reduce((s, g) => s + g.calls, 0)
  return figure('public_interest_call_share', 'ratio', ratio(pi, all))
}

export interface CompensationGroup {
  code: string
  name: string
  amountFen: number
}

/** Compensation of source units by the statements of the period's months (Art. 23). */
export const compensationBySourceUnit = (groups: CompensationGroup[]): Figure =>
  breakdown(
    'compensation_fen',
    'fen',
    groups.map((g) => ({ key: g.code, label: g.name, value: g.amountFen })),
  )

export interface PartnerMovements {
  joined: { code: string; name: string }[]
  exited: { code: string; name: string; kind: string }[]
  atEnd: number
}

export const partnerFigures = (m: PartnerMovements): Figure[] => [
  breakdown(
    'partners_joined',
    'count',
    m.joined.map((p) => ({ key: p.code, label: p.name, value: 1 })),
  ),
  breakdown(
    'partners_exited',
    'count',
    m.exited.map((p) => ({ key: p.code, label: p.name, value: 1, note: p.kind })),
  ),
  figure('partners_at_end', 'count', m.atEnd),
]

export async function findInvoiceGroups(db: Db, p: ReportPeriod): Promise<InvoiceGroup[]> {
  return db.all<InvoiceGroup>(sql`
    SELECT period AS month, state, sum(subtotal_fen) AS subtotalFen, sum(waived_fen) AS waivedFen,
      coalesce(sum(CASE WHEN paid_at IS NOT NULL THEN subtotal_fen END), 0) AS paidFen
    FROM invoices WHERE period >= ${p.months[0]!} AND period <= ${p.months.at(-1)!} GROUP BY period, state`)
}

export async function findCompensationGroups(db: Db, p: ReportPeriod): Promise<CompensationGroup[]> {
  return db.all<CompensationGroup>(sql`
    SELECT s.code, s.name_zh AS name, sum(c.amount_fen) AS amountFen
    FROM compensation_statements c JOIN source_units s ON s.id = c.source_unit_id
    WHERE c.period >= ${p.months[0]!} AND c.period <= ${p.months.at(-1)!} GROUP BY s.code, s.name_zh`)
}

export async function findPartnerMovements(db: Db, p: ReportPeriod): Promise<PartnerMovements> {
  const joined = await db.all<{ code: string; name: string }>(sql`
    SELECT code, name FROM partners WHERE created_at >= ${p.start} AND created_at < ${p.end}`)
  const exited = await db.all<{ code: string; name: string; kind: string }>(sql`
    SELECT pa.code, pa.name, e.kind FROM partner_exits e JOIN partners pa ON pa.id = e.partner_id
    WHERE e.state = 'executed' AND e.executed_at >= ${p.start} AND e.executed_at < ${p.end}`)
  const [atEnd] = await db.all<{ n: number }>(sql`
    SELECT count(*) AS n FROM partners pa WHERE pa.created_at < ${p.end} AND NOT EXISTS (
      SELECT 1 FROM partner_exits e WHERE e.partner_id = pa.id AND e.state = 'executed' AND e.executed_at < ${p.end})`)
  return { joined, exited, atEnd: atEnd?.n ?? 0 }
}

export function marketSection(
  invoices: InvoiceGroup[],
  usage: UsageGroup[],
  compensation: CompensationGroup[],
  partners: PartnerMovements,
  p: ReportPeriod,
): ReportSection {
  return {
    key: 'market',
    figures: [
      ...revenueFigures(invoices, p),
      publicInterestShare(usage),
      compensationBySourceUnit(compensation),
      ...partnerFigures(partners),
    ],
  }
}
