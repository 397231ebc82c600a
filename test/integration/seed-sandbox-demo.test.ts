import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { seedSandboxDemo } from '#seed/seed-sandbox-demo.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

/** Issue 16: the demo starts with items in the operator's sandbox queues (issue 13's reviews), made by the real operations. */
describe('seedSandboxDemo', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it('leaves two exports (one needing a second reviewer) and a model release waiting for the operator, once', async () => {
    const now = Date.now()
    await seedSandboxDemo(t.db, now)
    const rows = <T>(q: ReturnType<typeof sql>) => t.db.all<T>(q)
    expect(await rows(sql`select state, level, reviews_required from sandbox_exports order by level`)).toEqual([
      { state: 'pending', level: 'L2', reviews_required: 1 },
      { state: 'pending', level: 'L3', reviews_required: 2 },
    ])
    expect(await rows(sql`select state, level, refusal_code from sandbox_models`)).toEqual([
      { state: 'pending_operator', level: 'L3', refusal_code: null },
    ])
    // The results passed disclosure control, within the last days before `now`; each request is audited.
    const jobs = await rows<{ state: string; at: number }>(sql`select state, at from sandbox_jobs order by at`)
    expect(jobs.map((j) => j.state)).toEqual(['released', 'released'])
    for (const j of jobs) expect(j.at).toBeGreaterThan(now - 4 * DAY_MS)
    expect(await rows(sql`select count(*) n from audit_log where action = 'sandbox_export.request'`)).toEqual([{ n: 2 }])
    // A second seed adds nothing.
    await seedSandboxDemo(t.db, now)
    expect(await rows(sql`select count(*) n from sandbox_exports`)).toEqual([{ n: 2 }])
    expect(await rows(sql`select count(*) n from sandbox_models`)).toEqual([{ n: 1 }])
  })
})
