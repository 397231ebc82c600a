import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { apiKeys, partners, products, rejectedCalls, subscriptions, usageEvents } from '#db/schema/index.ts'
import { errorText } from '#platform/error-text.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const DAY = 86_400_000

describe('log retention (ADR 0007)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function insertEvent(id: string, at: number) {
    const [key] = await t.db.select().from(apiKeys).limit(1)
    const [sub] = await t.db.select().from(subscriptions).limit(1)
    const [product] = await t.db.select().from(products).limit(1)
    const [partner] = await t.db.select().from(partners).limit(1)
    await t.db.insert(usageEvents).values({
      id,
      at,
      requestId: `req_${id}`,
      apiKeyId: key!.id,
      subscriptionId: sub!.id,
      partnerId: partner!.id,
      productId: product!.id,
      purpose: 'industrial',
      operation: 'verifyEnterprise',
      status: 200,
    })
  }

  it('refuses to delete a usage event younger than 180 days, and allows an older one', async () => {
    await insertEvent('young', Date.now() - 179 * DAY)
    await insertEvent('old', Date.now() - 181 * DAY)
    await expect(t.db.delete(usageEvents).where(eq(usageEvents.id, 'young'))).rejects.toSatisfy((e) =>
      /log_retention/.test(errorText(e)),
    )
    await t.db.delete(usageEvents).where(eq(usageEvents.id, 'old'))
    expect((await t.db.select({ n: count() }).from(usageEvents))[0]!.n).toBe(1)
  })

  it('refuses to alter a usage event at all', async () => {
    await insertEvent('e1', Date.now())
    await expect(t.db.update(usageEvents).set({ status: 500 }).where(eq(usageEvents.id, 'e1'))).rejects.toSatisfy((e) =>
      /append-only/.test(errorText(e)),
    )
  })

  it('refuses to delete a recent rejected-call log', async () => {
    await t.db
      .insert(rejectedCalls)
      .values({ at: Date.now(), requestId: 'req_x', operation: 'op', status: 401, code: 'invalid_key' })
    await expect(t.db.delete(rejectedCalls)).rejects.toSatisfy((e) => /log_retention/.test(errorText(e)))
  })
})
