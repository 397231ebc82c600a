import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { apiKeys, subscriptions, usageEvents } from '#db/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { MonthlyQuotaCounter } from './monthly-quota.ts'
import { DistinctSubjectCounter, hashSubject } from './distinct-subjects.ts'

describe('quota and distinct-subject counters (seeded from usage_events)', () => {
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

  it('folds in calls another process recorded, on sync', async () => {
    const now = Date.now()
    const quotas = new MonthlyQuotaCounter(t.db)
    expect(await quotas.take(sub.id, 100, now)).toMatchObject({ used: 1 })
    await insertEvents(10, now) // another process's calls
    await quotas.sync()
    expect(await quotas.take(sub.id, 100, now)).toMatchObject({ used: 11 })
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
    const fresh = new DistinctSubjectCounter(t.db)
    const c = await fresh.admit(sub.id, h('C'), 3, now)
    expect(c).toMatchObject({ allowed: true, used: 2 })
    c.release()
    expect((await fresh.admit(sub.id, h('D'), 2, now)).allowed).toBe(true)
    expect(await fresh.admit(sub.id, h('E'), 2, fromLocal(2026, 5, 3, 0, 0, 1))).toMatchObject({ allowed: true, used: 1 })
  })

  it('uses a keyed hash: the same subject under another secret does not match', () => {
    expect(hashSubject('k1', '91210102MA0QW8R76J')).toMatch(/^[0-9a-f]{64}$/)
    expect(hashSubject('k1', '91210102MA0QW8R76J')).not.toBe(hashSubject('k2', '91210102MA0QW8R76J'))
  })
})
