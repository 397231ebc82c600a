import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { demandItems, subscriptions, users } from '#db/schema/index.ts'
import { decideSubscription } from '#partner-access/subscriptions/decide-subscription.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { countPendingWork } from '#supervision/worklist/count-pending-work.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// The home pages' pending-work counts (issue 16): each the same condition as its queue, a source unit's only its own.
describe('pending work per role', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())
  const actorOf = async (username: string) => userActor((await t.db.select().from(users).where(eq(users.username, username)))[0]!)
  const byKey = (queues: { key: string; count: number }[]) => Object.fromEntries(queues.map((q) => [q.key, q.count]))

  it("counts the bureau's queues, and a decision takes an item off its count", async () => {
    const bureau = await actorOf('bureau')
    const pending = await t.db.select().from(subscriptions).where(eq(subscriptions.state, 'pending'))
    expect(pending.length).toBeGreaterThan(0)
    const before = byKey(await countPendingWork(t.db, { actor: bureau }))
    expect(before.subscriptions).toBe(pending.length)
    const reviews = await t.db.select().from(demandItems).where(eq(demandItems.state, 'pending_review'))
    expect(before.demands).toBe(reviews.length)
    const decided = await decideSubscription(t.db, { subscriptionId: pending[0]!.id, decision: 'approve', actor: bureau })
    expect(decided.ok).toBe(true)
    expect(byKey(await countPendingWork(t.db, { actor: bureau })).subscriptions).toBe(pending.length - 1)
  })

  it("counts only a source unit's own items, and nothing for roles without queues", async () => {
    const scjg = await actorOf('scjg')
    const own = await t.db.select().from(demandItems).where(eq(demandItems.state, 'approved'))
    const mine = own.filter((i) => i.sourceUnitId === scjg.sourceUnitId).length
    expect(byKey(await countPendingWork(t.db, { actor: scjg })).demandDecisions).toBe(mine)
    expect(await countPendingWork(t.db, { actor: await actorOf('partner.dev') })).toEqual([])
    // A source unit actor without its unit sees nothing rather than everyone's.
    expect(await countPendingWork(t.db, { actor: { ...scjg, sourceUnitId: null } })).toEqual([])
  })

  it("counts the operator's queues", async () => {
    const counts = byKey(await countPendingWork(t.db, { actor: await actorOf('operator') }))
    expect(Object.keys(counts).sort()).toEqual([
      'applications',
      'draftInvoices',
      'returnedDemands',
      'returnedPriceBooks',
      'sandboxExports',
      'sandboxModels',
    ])
    expect(counts.applications).toBeGreaterThanOrEqual(1)
  })
})
