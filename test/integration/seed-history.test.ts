import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { openDatabase, type Database } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { usageEvents, users } from '#db/schema/index.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { HISTORY_ENDED_PRODUCT, HISTORY_MONTHS, seedHistoryDemo } from '#seed/seed-history-demo.ts'
import { deriveUnitCosts } from '#billing/costs/derive-unit-costs.ts'
import { parsePeriod } from '#billing/periods/billing-period.ts'
import { costBasisPeriods } from '#billing/price-books/propose-price-book.ts'
import { listSubscribableProducts } from '#partner-access/subscriptions/list-subscribable-products.ts'
import { createSubscription } from '#partner-access/subscriptions/create-subscription.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { sqlMonth } from '#platform/calendar/calendar-sql.ts'

/** A controlled clock: mid-June 2026 (Shanghai), so the history runs 2025-06 … 2026-06 whatever the day of the run. */
const NOW = fromLocal(2026, 6, 17, 15, 30)
const EVENTS = 3000

async function seededDatabase(dir: string, name: string): Promise<Database> {
  const database = await openDatabase('file:' + join(dir, name))
  await migrateDatabase(database.db)
  await seedPlatform(database.db, { history: { now: NOW, events: EVENTS } })
  return database
}

async function fingerprint(database: Database) {
  const rows = async (sql: string) =>
    (await database.client.execute(sql)).rows.map((r) => Array.from({ length: r.length }, (_, i) => r[i]))
  return {
    events: await rows(
      'select count(*), sum(calls), sum(records), sum(fields_masked), sum(bytes_out), sum(compute_ms), sum(export_bytes), min(at), max(at) from usage_events',
    ),
    perPartner: await rows(
      'select p.code, count(*), sum(e.records) from usage_events e join partners p on p.id = e.partner_id group by p.code order by p.code',
    ),
    closes: await rows(
      'select period, events_rated, late_events, unpriced_events, invoice_count from billing_closes order by period',
    ),
    invoices: await rows(
      `select i.period, p.code, i.state, i.subtotal_fen, i.vat_fen, i.total_fen, i.waived_fen, i.events, i.paid_at is not null
       from invoices i join partners p on p.id = i.partner_id order by i.period, p.code`,
    ),
    creditNotes: await rows('select count(*) from credit_notes'),
    costs: await rows('select period, category, net_fen from cost_entries order by period, category'),
    compensation: await rows('select count(*) from compensation_statements'),
    subscriptions: await rows('select state, purpose, count(*) from subscriptions group by state, purpose order by 1, 2'),
  }
}

describe('seedHistoryDemo: a year of demo history (real SQLite files)', () => {
  let dir: string
  let first: Database
  let second: Database

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-history-'))
    first = await seededDatabase(dir, 'a.db')
    second = await seededDatabase(dir, 'b.db')
  }, 600_000)

  afterAll(() => {
    first?.close()
    second?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is deterministic: two fresh databases get the same calls, closes, invoices, costs and statements', async () => {
    const a = await fingerprint(first)
    expect(Number(a.events[0]![0])).toBeGreaterThan(EVENTS * 0.8)
    expect(Number(a.events[0]![0])).toBeLessThan(EVENTS * 1.2)
    // Partners of each kind called: three legal persons and the demo's own, two organisations and two persons.
    expect(a.perPartner.length).toBeGreaterThanOrEqual(9)
    expect(await fingerprint(second)).toEqual(a)
  })

  it('closes every ended month of the history in order, each invoice finalized and equal to its rated lines', async () => {
    const closes = (
      await first.client.execute('select period, events_rated, unpriced_events from billing_closes order by period')
    ).rows
    expect(closes.map((c) => c.period)).toEqual([
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
    ])
    expect(closes).toHaveLength(HISTORY_MONTHS)
    for (const close of closes) {
      // Every event of the month was rated, and priced (prices were in force from the history's start).
      const [inMonth] = await first.db
        .select({ n: count() })
        .from(usageEvents)
        .where(eq(sqlMonth(usageEvents.at), String(close.period)))
      expect(Number(close.events_rated)).toBe(Number(inMonth!.n))
      expect(Number(close.unpriced_events)).toBe(0)
    }
    const invoices = (
      await first.client.execute(
        `select i.id, i.period, i.state, i.subtotal_fen, i.vat_fen, i.total_fen, i.events, i.paid_at,
                (select coalesce(sum(amount_fen), 0) from invoice_lines l where l.invoice_id = i.id) lines_fen,
                (select coalesce(sum(l.events), 0) from invoice_lines l where l.invoice_id = i.id and l.kind = 'usage') line_events
         from invoices i`,
      )
    ).rows
    expect(invoices.length).toBeGreaterThan(HISTORY_MONTHS)
    expect(invoices.filter((i) => i.state === 'draft')).toEqual([])
    for (const i of invoices) {
      expect(Number(i.subtotal_fen)).toBe(Number(i.lines_fen))
      expect(Number(i.total_fen)).toBe(Number(i.subtotal_fen) + Number(i.vat_fen))
    }
    // Events billed per month = events of the month (public-interest calls are billed at zero, still on the invoice).
    const billed = (await first.client.execute('select period, sum(events) n from invoices group by period order by period')).rows
    for (const b of billed) expect(Number(b.n)).toBe(Number(closes.find((c) => c.period === b.period)!.events_rated))
    // Most are paid, the last month's are due, one older one is overdue, one was credited.
    const paid = invoices.filter((i) => i.paid_at !== null).length
    expect(paid).toBeGreaterThan(invoices.length / 2)
    expect(invoices.filter((i) => i.period === '2026-05' && i.paid_at === null).length).toBeGreaterThan(0)
    expect(
      invoices.filter((i) => String(i.period) < '2026-05' && i.paid_at === null && i.state === 'finalized').length,
    ).toBeGreaterThan(0)
    expect(invoices.filter((i) => i.state === 'voided')).toHaveLength(1)
    const statements = (await first.client.execute('select count(*) n from compensation_statements')).rows[0]!
    expect(Number(statements.n)).toBeGreaterThanOrEqual(HISTORY_MONTHS)
  })

  it('records costs whose volumes make real unit costs for the cost basis the operator and the bureau see', async () => {
    const basis = await deriveUnitCosts(first.db, { periods: costBasisPeriods(NOW) })
    expect(basis.volumes.calls).toBeGreaterThan(0)
    expect(basis.unitCosts.call).not.toBeNull()
    expect(basis.unitCosts.record).not.toBeNull()
    expect(basis.unitCosts.masked_field).not.toBeNull()
    // Every product with calls in those months has a unit cost for what it is priced by (reports: per MB exported).
    const used = (
      await first.client.execute({
        sql: `select distinct p.code, p.form from usage_events e join products p on p.id = e.product_id
              where e.at >= ? and e.at < ?`,
        args: [parsePeriod(basis.periods[0]!)!.start, parsePeriod(basis.periods[2]!)!.end],
      })
    ).rows
    expect(used.length).toBeGreaterThan(5)
    for (const p of used) {
      const unit = p.form === 'report' ? basis.unitCosts.mb_exported : basis.unitCosts.call
      expect(unit, String(p.code)).not.toBeNull()
    }
    // Of the order of the prices (fen per call), not the ¥0.9 per call of costs without volumes.
    expect(Number(basis.unitCosts.call)).toBeLessThan(200)
    // The bureau's pending proposal carries that basis, with calls in it.
    const [pending] = (await first.client.execute("select cost_basis from price_books where state = 'pending_review'")).rows
    expect(JSON.parse(String(pending!.cost_basis)).volumes.calls).toBe(basis.volumes.calls)
  })

  it('leaves partner.admin a published product to subscribe to, and the bureau a pending public-interest purpose', async () => {
    const [admin] = await first.db.select().from(users).where(eq(users.username, 'partner.admin'))
    const live = (
      await first.client.execute({
        sql: `select p.code from subscriptions s join products p on p.id = s.product_id
              where s.partner_id = ? and s.state in ('active', 'pending')`,
        args: [admin!.partnerId],
      })
    ).rows.map((r) => r.code)
    const open = (await listSubscribableProducts(first.db)).filter((p) => !live.includes(p.code)).map((p) => p.code)
    expect(open).toContain(HISTORY_ENDED_PRODUCT)
    const subscribed = await createSubscription(first.db, {
      partner: { id: admin!.partnerId! },
      productCode: HISTORY_ENDED_PRODUCT,
      purpose: 'industrial',
      scenario: '区县经济运行分析报告',
      actor: userActor(admin!),
      now: NOW,
    })
    expect(subscribed.ok).toBe(true)
    const pending = (
      await first.client.execute("select count(*) n from subscriptions where state = 'pending' and purpose = 'public_interest'")
    ).rows[0]!
    expect(Number(pending.n)).toBeGreaterThan(0)
  })

  it('runs once: a second call leaves the history as it is', async () => {
    const before = await fingerprint(second)
    expect(await seedHistoryDemo(second.db, { now: NOW, events: EVENTS })).toBeNull()
    expect(await fingerprint(second)).toEqual(before)
  })
})
