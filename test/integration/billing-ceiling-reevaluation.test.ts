import { and, eq, sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { notifications, priceCeilings, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { DAY_MS, formatDay, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { listPriceCeilings } from '#billing/ceilings/list-price-ceilings.ts'
import { remindCeilingReevaluations } from '#billing/ceilings/remind-ceiling-reevaluations.ts'
import { countCeilingsDueForReevaluation } from '#billing/ceilings/count-ceilings-due.ts'
import { addProduct } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
const system: Actor = { id: null, label: 'job-test', role: 'system' }
const EFFECTIVE = fromLocal(2034, 3, 1)
const REEVALUATE = fromLocal(2034, 9, 1)

describe('ceiling re-evaluation dates and reminders (ADR 0036)', () => {
  let t: TestDatabase
  let productId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    productId = await addProduct(t.db, 'ceiling-test', 'service')
  })
  afterEach(() => t.destroy())

  const told = async (kind: string, role: 'bureau' | 'operator') =>
    (
      await t.db
        .select({ n: sql<number>`count(*)` })
        .from(notifications)
        .innerJoin(users, eq(users.id, notifications.userId))
        .where(
          and(
            eq(notifications.kind, kind),
            eq(users.role, role),
            sql`json_extract(${notifications.params}, '$.product') = 'ceiling-test'`,
          ),
        )
    )[0]!.n

  it('reminds the bureau 30 days before and on the date, once each, with a controlled clock', async () => {
    const set = await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'call', maxUnitPrice: '5', effectiveFrom: EFFECTIVE, reevaluateBy: REEVALUATE + 3_600_000 },
      actor: bureau,
      now: EFFECTIVE - DAY_MS,
    })
    expect(set.ok).toBe(true)
    const [row] = await listPriceCeilings(t.db, { at: EFFECTIVE }).then((r) => r.filter((c) => c.productCode === 'ceiling-test'))
    // Kept as the start of its Shanghai day.
    expect(row!.reevaluateBy).toBe(REEVALUATE)
    const bureauCount = (await t.db.select({ id: users.id }).from(users).where(eq(users.role, 'bureau'))).length
    expect(bureauCount).toBeGreaterThan(0)

    // Only this test's product (the seeded ceilings have their own dates).
    const run = async (now: number) => {
      const r = await remindCeilingReevaluations(t.db, { actor: system, now })
      return { sent: r.sent.filter((s) => s.startsWith('ceiling-test:')) }
    }
    const mine = async (now: number) =>
      (await listPriceCeilings(t.db, { at: now })).filter(
        (c) => c.productCode === 'ceiling-test' && c.status === 'in_force' && c.reevaluateBy! <= now + 30 * DAY_MS,
      ).length
    expect((await run(REEVALUATE - 31 * DAY_MS)).sent).toEqual([])
    expect(await countCeilingsDueForReevaluation(t.db, { now: REEVALUATE - 31 * DAY_MS })).toBe(
      (await countCeilingsDueForReevaluation(t.db, { now: REEVALUATE - 29 * DAY_MS })) - 1,
    )
    expect(await mine(REEVALUATE - 31 * DAY_MS)).toBe(0)
    expect((await run(REEVALUATE - 30 * DAY_MS)).sent).toEqual(['ceiling-test:call:approaching'])
    expect((await run(REEVALUATE - 29 * DAY_MS)).sent).toEqual([])
    expect(await mine(REEVALUATE - 29 * DAY_MS)).toBe(1)
    expect(await told('ceiling_reevaluation_approaching', 'bureau')).toBe(bureauCount)
    expect((await run(REEVALUATE - 1)).sent).toEqual([])
    // Parallel runs on the day: one reminder.
    const due = await Promise.all([run(REEVALUATE), run(REEVALUATE + 1)])
    expect(due.flatMap((r) => r.sent)).toEqual(['ceiling-test:call:due'])
    expect((await run(REEVALUATE + 40 * DAY_MS)).sent).toEqual([])
    expect(await told('ceiling_reevaluation_due', 'bureau')).toBe(bureauCount)
    // The operator is not the one who re-evaluates.
    expect(await told('ceiling_reevaluation_approaching', 'operator')).toBe(0)
    const params = await t.db
      .select({ params: notifications.params })
      .from(notifications)
      .where(
        and(
          eq(notifications.kind, 'ceiling_reevaluation_due'),
          sql`json_extract(${notifications.params}, '$.product') = 'ceiling-test'`,
        ),
      )
      .limit(1)
    expect(JSON.parse(params[0]!.params)).toMatchObject({ product: 'ceiling-test', unit: 'call', date: formatDay(REEVALUATE) })

    // The re-evaluation's outcome, a new ceiling version, starts afresh (the old one is superseded: no more reminders).
    const renewed = await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'call', maxUnitPrice: '4', effectiveFrom: REEVALUATE + 2 * DAY_MS },
      actor: bureau,
      now: REEVALUATE + DAY_MS,
    })
    expect(renewed.ok).toBe(true)
    const [current] = (await listPriceCeilings(t.db, { at: REEVALUATE + 3 * DAY_MS })).filter(
      (c) => c.productCode === 'ceiling-test' && c.status === 'in_force',
    )
    // Default: three years after the effective date.
    expect(formatDay(current!.reevaluateBy!)).toBe('2037-09-03')
    expect((await run(REEVALUATE + 3 * DAY_MS)).sent).toEqual([])
    expect(await mine(REEVALUATE + 3 * DAY_MS)).toBe(0)
  })

  it('refuses a re-evaluation date on or before the effective date, a wrong role, and edits', async () => {
    const before = await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'call', maxUnitPrice: '5', effectiveFrom: EFFECTIVE, reevaluateBy: EFFECTIVE },
      actor: bureau,
      now: EFFECTIVE - DAY_MS,
    })
    expect(!before.ok && before.error.fields).toEqual({ reevaluateBy: 'before_effective' })
    const nan = await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'call', maxUnitPrice: '5', effectiveFrom: EFFECTIVE, reevaluateBy: Number.NaN },
      actor: bureau,
      now: EFFECTIVE - DAY_MS,
    })
    expect(!nan.ok && nan.error.fields).toEqual({ reevaluateBy: 'invalid' })
    const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
    const denied = await setPriceCeiling(t.db, {
      input: { productId, chargeUnit: 'call', maxUnitPrice: '5', effectiveFrom: EFFECTIVE },
      actor: operator,
      now: EFFECTIVE - DAY_MS,
    })
    expect(!denied.ok && denied.error.kind).toBe('forbidden')
    // Every ceiling in the store carries a date (the seeded ones were set before this test; the back-fill's rule).
    const undated = await t.db
      .select({ n: sql<number>`count(*)` })
      .from(priceCeilings)
      .where(sql`reevaluate_by IS NULL`)
    expect(undated[0]!.n).toBe(0)
    const edit = await t.db.run(sql`UPDATE price_ceilings SET reevaluate_by = 1`).then(
      () => '',
      (e: unknown) => errorText(e),
    )
    expect(edit).toContain('billing_immutable')
  })
})
