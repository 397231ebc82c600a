import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { apiKeys, gatewayLimitLedger, subscriptions, usageEvents } from '#db/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { MonthlyQuotaCounter, QUOTA_IDLE_MS } from './monthly-quota.ts'
import { DistinctSubjectCounter, hashSubject } from './distinct-subjects.ts'

describe('quota and distinct-subject counters (seeded from usage_events, shared through the database)', () => {
  let t: TestDatabase
  let sub: typeof subscriptions.$inferSelect
  let keyId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    // An active subscription of the partner that holds the demo key.
    sub = (await t.db.select().from(subscriptions).where(eq(subscriptions.state, 'active')).limit(1))[0]!
    keyId = (await t.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, sub!.partnerId)).limit(1))[0]!.id
  })
  afterEach(() => t.destroy())

  async function insertEvents(n: number, at: number, subjectHash: string | null = null) {
    await t.db.insert(usageEvents).values(
      Array.from({ length: n }, () => ({
        id: randomUUID(),
        at,
        requestId: `req_${randomUUID().replace(/-/g, '')}`,
        apiKeyId: keyId,
        subscriptionId: sub.id,
        partnerId: sub.partnerId,
        productId: sub.productId,
        purpose: sub.purpose,
        operation: 'test',
        status: 200,
        subjectHash,
      })),
    )
  }

  it('counts this Shanghai month’s events, not last month’s, and refuses past the quota', async () => {
    const now = fromLocal(2026, 5, 1, 0, 30)
    await insertEvents(3, fromLocal(2026, 4, 30, 23, 59, 59)) // last month
    await insertEvents(2, fromLocal(2026, 5, 1))
    const quotas = new MonthlyQuotaCounter(t.db)
    const first = await quotas.take(sub.id, 3, now)
    expect(first).toMatchObject({ allowed: true, used: 3, remaining: 0, resetsAt: fromLocal(2026, 6, 1) })
    expect(await quotas.take(sub.id, 3, now)).toMatchObject({ allowed: false, used: 3 })
    // A call that ended unanswered hands its unit back.
    first.release()
    first.release()
    expect(await quotas.take(sub.id, 3, now)).toMatchObject({ allowed: true, used: 3 })
    // Next month starts from the database again.
    expect(await quotas.take(sub.id, 3, fromLocal(2026, 6, 1))).toMatchObject({ allowed: true, used: 1 })
  })

  it('two processes draw from one ledger: together they never hand out more than the quota; idle units go back', async () => {
    const now = Date.now()
    const [a, b] = [new MonthlyQuotaCounter(t.db), new MonthlyQuotaCounter(t.db)]
    const taken = []
    for (let i = 0; i < 12; i++) taken.push(await (i % 3 === 0 ? b : a).take(sub.id, 10, now))
    expect(taken.filter((d) => d.allowed)).toHaveLength(10)
    expect(taken.slice(10).map((d) => d.allowed)).toEqual([false, false])
    // A call of b's that ended unanswered: its unit is b's again, and a idle past QUOTA_IDLE_MS hands back what it holds.
    taken.find((d, i) => d.allowed && i % 3 === 0)!.release()
    expect((await a.take(sub.id, 10, now)).allowed).toBe(false)
    expect((await b.take(sub.id, 10, now)).allowed).toBe(true)
    expect((await b.take(sub.id, 10, now)).allowed).toBe(false)
    // The month's row after both stopped: exactly the units used.
    await a.close()
    await b.close()
    const [row] = await t.db.select().from(gatewayLimitLedger).where(eq(gatewayLimitLedger.subscriptionId, sub.id))
    expect(row).toMatchObject({ kind: 'quota', taken: 10 })
  })

  it('a quota that falls idle hands its units back within QUOTA_IDLE_MS', async () => {
    const now = Date.now()
    const [a, b] = [new MonthlyQuotaCounter(t.db), new MonthlyQuotaCounter(t.db)]
    for (let i = 0; i < 3; i++) expect((await a.take(sub.id, 4, now)).allowed).toBe(true) // draws 1, 1, 1
    expect((await b.take(sub.id, 4, now)).allowed).toBe(true)
    expect((await b.take(sub.id, 4, now)).allowed).toBe(false)
    await a.sync(now + QUOTA_IDLE_MS) // nothing held: nothing to give
    const [row] = await t.db.select().from(gatewayLimitLedger).where(eq(gatewayLimitLedger.subscriptionId, sub.id))
    expect(row!.taken).toBe(4)
  })

  it('counts distinct subjects per subscription per day (any of its keys); a repeated subject is free; restarts keep the count', async () => {
    const now = fromLocal(2026, 5, 2, 10)
    const h = (s: string) => hashSubject('secret', s)
    await insertEvents(2, fromLocal(2026, 5, 2, 1), h('A'))
    await insertEvents(1, fromLocal(2026, 5, 1, 23), h('B')) // yesterday
    const subjects = new DistinctSubjectCounter(t.db)
    expect(await subjects.admit(sub.id, h('A'), 2, now)).toMatchObject({ allowed: true, used: 1 })
    expect(await subjects.admit(sub.id, h('B'), 2, now)).toMatchObject({ allowed: true, used: 2 })
    const refused = await subjects.admit(sub.id, h('C'), 2, now)
    expect(refused).toMatchObject({ allowed: false, used: 2, resetsAt: fromLocal(2026, 5, 3) })
    expect((await subjects.admit(sub.id, h('A'), 2, now)).allowed).toBe(true)
    // Released subjects are forgotten; tomorrow starts afresh.
    // Another process shares the day's set (A answered, B admitted by the first).
    const fresh = new DistinctSubjectCounter(t.db)
    const c = await fresh.admit(sub.id, h('C'), 3, now)
    expect(c).toMatchObject({ allowed: true, used: 3 })
    // The first refused C a moment ago (kept for a second); past that it finds C in the shared set.
    expect((await subjects.admit(sub.id, h('C'), 2, now + 1000)).allowed).toBe(true)
    c.release()
    expect((await fresh.admit(sub.id, h('D'), 3, now)).allowed).toBe(true)
    expect(await fresh.admit(sub.id, h('E'), 2, fromLocal(2026, 5, 3, 0, 0, 1))).toMatchObject({ allowed: true, used: 1 })
  })

  it('uses a keyed hash: the same subject under another secret does not match', () => {
    expect(hashSubject('k1', '91210102MA0QW8R76J')).toMatch(/^[0-9a-f]{64}$/)
    expect(hashSubject('k1', '91210102MA0QW8R76J')).not.toBe(hashSubject('k2', '91210102MA0QW8R76J'))
  })
})
