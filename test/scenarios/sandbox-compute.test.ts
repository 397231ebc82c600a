import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { and, eq } from 'drizzle-orm'
import { Decimal } from 'decimal.js'
import { products, usageEvents } from '#db/schema/index.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { nextPeriod, periodOf } from '#billing/periods/billing-period.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { proposePriceBook } from '#billing/price-books/propose-price-book.ts'
import { decidePriceBook } from '#billing/price-books/decide-price-book.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { addPartner, type ScenarioPartner } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// A month of sandbox jobs through the gateway with a controlled clock (ADR 0038): each job's compute time is metered as
// compute_ms and billed per compute second (Art. 22's resource cost) beside the calls, on the partner's invoice.

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const JAN = nextPeriod(nextPeriod(periodOf(Date.now())))
const FEB = nextPeriod(JAN)

describe('scenario: sandbox compute time on the invoice', () => {
  let database: TestDatabase
  let gateway: Gateway
  let server: Server
  let baseUrl: string
  let partner: ScenarioPartner
  const clock = { now: JAN.start }

  beforeAll(async () => {
    database = await createTestDatabase()
    const db = database.db
    gateway = createGateway({ db, now: () => clock.now })
    server = createServer((req, res) => gateway.handle(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, 'data-sandbox'))
    partner = await addPartner(db, {
      productId: product!.id,
      code: 'sandbox-scenario',
      purpose: 'industrial',
      subscribedAt: Date.now(),
    })
    // From 1 January: at most 5 fen a call and 20 fen a compute second; the operator prices 1 fen and 10 fen.
    for (const [chargeUnit, maxUnitPrice] of [
      ['call', '5'],
      ['compute_second', '20'],
    ] as const) {
      const ceiling = await setPriceCeiling(db, {
        input: { productId: product!.id, chargeUnit, maxUnitPrice, effectiveFrom: JAN.start, basis: 'test' },
        actor: bureau,
        now: Date.now(),
      })
      if (!ceiling.ok) throw new Error(JSON.stringify(ceiling.error))
    }
    const book = await proposePriceBook(db, {
      input: {
        productId: product!.id,
        effectiveFrom: JAN.start,
        charges: [
          { chargeUnit: 'call', model: 'standard', properties: { unitPrice: '1' } },
          { chargeUnit: 'compute_second', model: 'standard', properties: { unitPrice: '10' } },
        ],
      },
      actor: operator,
      now: Date.now(),
    })
    if (!book.ok) throw new Error(JSON.stringify(book.error))
    const decided = await decidePriceBook(db, {
      priceBookId: book.value.id,
      decision: 'approve',
      comment: 'ok',
      actor: bureau,
      now: Date.now(),
    })
    if (!decided.ok) throw new Error(JSON.stringify(decided.error))
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await gateway.close()
    database.destroy()
  })

  it('bills the calls and the compute seconds of the month’s jobs, rounded once per line', async () => {
    const query = {
      from: 'DS-SCJG-0001',
      join: [{ dataset: 'DS-SW-0001', on: 'uscc' }],
      groupBy: ['DS-SCJG-0001.industry'],
      aggregates: [{ fn: 'count_subjects' }, { fn: 'sum', field: 'DS-SCJG-0001.registered_capital_wan' }],
    }
    for (let day = 0; day < 3; day++) {
      clock.now = JAN.start + (day + 2) * 86_400_000
      const res = await fetch(`${baseUrl}/api/v1/sandbox/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${partner.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(query),
      })
      expect(res.status, await res.clone().text()).toBe(200)
      await res.arrayBuffer()
    }
    const events = await database.db
      .select({ computeMs: usageEvents.computeMs })
      .from(usageEvents)
      .where(and(eq(usageEvents.partnerId, partner.partnerId), eq(usageEvents.operation, 'createSandboxJob')))
    expect(events).toHaveLength(3)
    const computeMs = events.reduce((s, e) => s + e.computeMs, 0)
    expect(computeMs).toBeGreaterThan(0)

    const closed = await closeBillingPeriod(database.db, { period: JAN.period, actor: cliActor(), now: FEB.start + 3_600_000 })
    if (!closed.ok) throw new Error(JSON.stringify(closed.error))
    const invoice = closed.value.invoices.find((i) => i.partner.id === partner.partnerId)!
    const lines = invoice.lines.map((l) => ({ charge: l.charge, units: l.units, amountFen: l.amountFen }))
    const seconds = new Decimal(computeMs).dividedBy(1000)
    expect(lines).toEqual([
      { charge: 'call', units: '3', amountFen: 3 },
      {
        charge: 'compute_second',
        units: seconds.toFixed(),
        amountFen: seconds.times(10).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber(),
      },
    ])
  })
})
