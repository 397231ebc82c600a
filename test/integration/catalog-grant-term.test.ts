import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { auditLog, authorizations, demandItems } from '#db/schema/index.ts'
import { createDemandList } from '#catalog/demands/create-demand-list.ts'
import { addDemandItem } from '#catalog/demands/add-demand-item.ts'
import { submitDemandList } from '#catalog/demands/submit-demand-list.ts'
import { reviewDemandItem } from '#catalog/demands/review-demand-item.ts'
import { grantAuthorization } from '#catalog/authorizations/grant-authorization.ts'
import { addCalendarMonths, DAY_MS, formatDay, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { DEMO_UNAUTHORIZED_DATASET } from '#seed/seed-catalog-demo.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf, unwrap } from './catalog-fixtures.ts'

// The grant computes its own term (Art. 17): from a Shanghai start day and a number of calendar months, at most 36.
describe('grantAuthorization: startsOn + termMonths, the end computed on the Shanghai calendar', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function approvedItem() {
    const operator = await actorOf(t.db, 'operator')
    const bureau = await actorOf(t.db, 'bureau')
    const list = unwrap(await createDemandList(t.db, { actor: operator, title: '期限测试' }))
    const item = unwrap(
      await addDemandItem(t.db, {
        actor: operator,
        listCode: list.code,
        input: {
          datasetCode: DEMO_UNAUTHORIZED_DATASET,
          sourceUnitCode: null,
          dataDescription: '企业年报',
          retrievalMethod: 'file',
          usageScenario: '经营核验',
          requestedTermMonths: 24,
        },
      }),
    )
    unwrap(await submitDemandList(t.db, { actor: operator, listCode: list.code }))
    unwrap(await reviewDemandItem(t.db, { actor: bureau, itemId: item.id, decision: 'approve' }))
    return item.id
  }

  async function grant(opts: { startsOn: string; termMonths: number; now: number; itemId?: string }) {
    const itemId = opts.itemId ?? (await approvedItem())
    const scjg = await actorOf(t.db, 'scjg')
    const result = await grantAuthorization(t.db, {
      actor: scjg,
      itemId,
      deliveryMode: 'file',
      startsOn: opts.startsOn,
      termMonths: opts.termMonths,
      now: opts.now,
    })
    const rows = await t.db.select().from(authorizations).where(eq(authorizations.demandItemId, itemId))
    const [item] = await t.db.select({ state: demandItems.state }).from(demandItems).where(eq(demandItems.id, itemId))
    return { result, rows, itemState: item!.state }
  }

  it('a later start day begins at its Shanghai midnight; 29 February + 36 months ends on 28 February', async () => {
    const now = fromLocal(2028, 2, 20, 9, 30)
    const { result, rows } = await grant({ startsOn: '2028-02-29', termMonths: 36, now })
    expect(result.ok).toBe(true)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ startsAt: fromLocal(2028, 2, 29), endsAt: fromLocal(2031, 2, 28) })
    // 12 months from 29 February also clamps; 48 from it (a leap year again) would be refused, not clamped.
    const leap = await grant({ startsOn: '2028-02-29', termMonths: 12, now })
    expect(leap.rows[0]).toMatchObject({ endsAt: fromLocal(2029, 2, 28) })
  })

  it('a start today begins now (the data may enter at once) and ends the same local time months later', async () => {
    // 23:30 in Shanghai is still the 31 January there (15:30 UTC): the Shanghai date counts, and 31 Jan + 1 → 28 Feb.
    const now = fromLocal(2026, 1, 31, 23, 30)
    const { result, rows } = await grant({ startsOn: '2026-01-31', termMonths: 1, now })
    expect(result.ok).toBe(true)
    expect(rows[0]).toMatchObject({ startsAt: now, endsAt: fromLocal(2026, 2, 28, 23, 30) })
    expect(rows[0]!.endsAt).toBe(addCalendarMonths(now, 1))
  })

  it('caps the term at 36 months (Art. 17): 37 is refused next to termMonths and nothing changes', async () => {
    const now = fromLocal(2026, 3, 1, 10)
    const tooLong = await grant({ startsOn: '2026-03-02', termMonths: 37, now })
    expect(tooLong.result.ok || tooLong.result.error).toMatchObject({
      kind: 'validation',
      code: 'term_too_long',
      fields: { termMonths: 'term_too_long' },
    })
    expect(tooLong.rows).toEqual([])
    expect(tooLong.itemState).toBe('approved')
    const exact = await grant({ startsOn: '2026-03-02', termMonths: 36, now })
    expect(exact.rows[0]).toMatchObject({ startsAt: fromLocal(2026, 3, 2), endsAt: fromLocal(2029, 3, 2) })
    expect(exact.itemState).toBe('granted')
  })

  it('refuses hostile term lengths without computing them', async () => {
    const now = fromLocal(2026, 6, 1, 8)
    const itemId = await approvedItem()
    const cases: [number, string][] = [
      [0, 'term_range'],
      [-12, 'term_range'],
      [1.5, 'term_range'],
      [Number.NaN, 'term_range'],
      [Number.POSITIVE_INFINITY, 'term_range'],
      [Number.MAX_SAFE_INTEGER + 2, 'term_range'],
      [1e9, 'term_too_long'],
      [37, 'term_too_long'],
    ]
    for (const [termMonths, code] of cases) {
      const { result, rows, itemState } = await grant({ itemId, startsOn: '2026-06-01', termMonths, now })
      expect(result.ok || result.error.fields, String(termMonths)).toEqual({ termMonths: code })
      expect(rows).toEqual([])
      expect(itemState).toBe('approved')
    }
  })

  it('refuses a start day that is not a real date, or before today (Shanghai), next to startsOn', async () => {
    const now = fromLocal(2026, 6, 1, 0, 10) // 16:10 UTC on 31 May: already 1 June in Shanghai
    const itemId = await approvedItem()
    const cases: [string, string][] = [
      ['2026-02-30', 'invalid_date'],
      ['2026-6-1', 'invalid_date'],
      ['01/06/2026', 'invalid_date'],
      ['2026-06-01T00:00:00Z', 'invalid_date'],
      ['', 'invalid_date'],
      ['9'.repeat(100_000), 'invalid_date'],
      ['2026-05-31', 'start_in_past'],
      [formatDay(now - 400 * DAY_MS), 'start_in_past'],
    ]
    for (const [startsOn, code] of cases) {
      const { result, rows } = await grant({ itemId, startsOn, termMonths: 12, now })
      expect(result.ok || result.error.fields, startsOn.slice(0, 30)).toEqual({ startsOn: code })
      expect(rows).toEqual([])
    }
    // Both fields wrong: both are named at once.
    const both = await grant({ itemId, startsOn: '2026-13-01', termMonths: 0, now })
    expect(both.result.ok || both.result.error.fields).toEqual({ startsOn: 'invalid_date', termMonths: 'term_range' })
    // Today, by the Shanghai date (UTC still says 31 May), is accepted.
    const today = await grant({ itemId, startsOn: '2026-06-01', termMonths: 12, now })
    expect(today.rows[0]).toMatchObject({ startsAt: now, endsAt: fromLocal(2027, 6, 1, 0, 10) })
  })

  it('two grants of one item at once: one authorization, the other refused', async () => {
    const now = Date.now()
    const itemId = await approvedItem()
    const scjg = await actorOf(t.db, 'scjg')
    const attempt = () =>
      grantAuthorization(t.db, { actor: scjg, itemId, deliveryMode: 'file', startsOn: formatDay(now), termMonths: 6, now })
    const results = await Promise.all([attempt(), attempt()])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.map((r) => (r.ok ? 'granted' : r.error.code)).sort()).toEqual(['demand_item_not_approved', 'granted'])
    // The loser's batch rolled back whole: one grant in the audit log, one transition to granted.
    const grants = await t.db.select().from(auditLog).where(eq(auditLog.action, 'authorization.grant'))
    expect(grants.filter((g) => g.detail?.includes(itemId))).toHaveLength(1)
    expect(await t.db.select().from(authorizations).where(eq(authorizations.demandItemId, itemId))).toHaveLength(1)
  })
})
