import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { users } from '#db/schema/index.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { findEvaluation, listEvaluations, listOwnEvaluationSubjects } from '#evaluation/find-evaluations.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// The demo's finished evaluation (seed/seed-evaluations-demo.ts), as the seeded base database holds it.
describe('demo evaluation', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t?.destroy())

  it('is one published evaluation of a past quarter, every subject passed, the unit and the operator self-assessed', async () => {
    const actor = { id: null, label: 'cli', role: 'cli' as const }
    const list = await listEvaluations(t.db, { actor })
    expect(list).toHaveLength(1)
    const e = list[0]!
    expect(e.period).toMatch(/^\d{4}-Q[1-4]$/)
    expect(e.deadlineAt).toBeLessThan(Date.now())
    expect(e.published).toBe(e.subjects)
    expect(e.failed).toBe(0)
    expect(e.submitted).toBe(2)
    const detail = (await findEvaluation(t.db, { actor, code: e.code }))!
    expect(new Set(detail.subjects.map((s) => s.kind))).toEqual(new Set(['source_unit', 'operator', 'partner']))
    const [scjg] = await t.db.select().from(users).where(eq(users.username, 'scjg'))
    const own = await listOwnEvaluationSubjects(t.db, { actor: userActor(scjg!) })
    expect(own[0]!.subject).toMatchObject({ state: 'published', passed: true })
    expect(own[0]!.incentiveBasis).toHaveLength(4)
  })
})
