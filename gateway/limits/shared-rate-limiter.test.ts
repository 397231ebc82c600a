import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { openDatabase, type Database } from '#db/client.ts'
import { nativeStoreOf } from '#db/native.ts'
import { gatewayLimitLedger, subscriptions } from '#db/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { SharedRateLimiter } from './shared-rate-limiter.ts'

describe('the rate limit shared by gateway processes (ADR 0043)', () => {
  let t: TestDatabase
  let clientPath: Database
  let subId: string
  beforeEach(async () => {
    t = await createTestDatabase()
    // A second "process": the same file through @libsql/client only (the path a libsql:// URL takes).
    process.env.DATABASE_NATIVE = 'off'
    clientPath = await openDatabase(`file:${t.path}`)
    delete process.env.DATABASE_NATIVE
    subId = (await t.db.select({ id: subscriptions.id }).from(subscriptions).limit(1))[0]!.id
  })
  afterEach(() => {
    clientPath.close()
    t.destroy()
  })

  const T0 = Date.UTC(2026, 5, 1, 4, 0, 0)

  it('two limiters (native and client path) answer at most the plan per sliding minute between them', async () => {
    expect(nativeStoreOf(clientPath.db)).toBeUndefined()
    const a = new SharedRateLimiter(t.db)
    const b = new SharedRateLimiter(clientPath.db)
    let allowed = 0
    // 150 calls over 3 seconds, in parallel bursts on both.
    for (let i = 0; i < 150; i++) {
      const at = T0 + Math.floor(i / 50) * 1000 + (i % 50)
      const decisions = await Promise.all([a.take(subId, 60, at), b.take(subId, 60, at)])
      allowed += decisions.filter((d) => d.allowed).length
      for (const d of decisions) if (!d.allowed) expect(d.resetSeconds).toBeGreaterThanOrEqual(1)
    }
    expect(allowed).toBe(60)
    // Both stop: nothing is held, and the ledger counts exactly the calls let through.
    await a.close()
    await b.close()
    const rows = await t.db.select().from(gatewayLimitLedger).where(eq(gatewayLimitLedger.subscriptionId, subId))
    expect(rows.reduce((n, r) => n + r.taken, 0)).toBe(60)
    // A minute after the first second, that second's calls have left the window.
    expect((await a.take(subId, 60, T0 + 60_000)).allowed).toBe(true)
  })

  it('permits held unused go back when their second is over; remaining counts down in one process', async () => {
    const a = new SharedRateLimiter(t.db)
    const b = new SharedRateLimiter(t.db)
    const remaining = []
    for (let i = 0; i < 5; i++) remaining.push((await a.take(subId, 5, T0)).remaining)
    expect(remaining).toEqual([4, 3, 2, 1, 0])
    expect((await b.take(subId, 5, T0)).allowed).toBe(false)
    // a draws ahead (its first draw of a second asks for what it used the second before): what it leaves unused goes
    // back once the second is over.
    const c = new SharedRateLimiter(t.db)
    for (let i = 0; i < 4; i++) expect((await c.take(subId, 100, T0 + 61_000)).allowed).toBe(true)
    expect((await c.take(subId, 100, T0 + 62_000)).allowed).toBe(true) // draws 4, uses 1
    await c.maintain(T0 + 63_000)
    const rows = await t.db.select().from(gatewayLimitLedger).where(eq(gatewayLimitLedger.subscriptionId, subId))
    expect(rows.filter((r) => r.period >= (T0 + 61_000) / 1000).map((r) => r.taken)).toEqual([4, 1])
  })
})
