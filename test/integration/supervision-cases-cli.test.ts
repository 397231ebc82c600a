import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { users } from '#db/schema/index.ts'
import { runCli } from '#cli/platform.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { formatDay, DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { reportProblem } from '#supervision/cases/report-problem.ts'
import { openCase } from '#supervision/cases/open-case.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('cases CLI: cases:list, cases:escalate', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  it('lists cases as JSON and escalates the overdue ones now, once', async () => {
    const bureau = userActor((await t.db.select().from(users).where(eq(users.username, 'bureau')))[0]!)
    // Opened two days ago with yesterday as its deadline: overdue today.
    const twoDaysAgo = Date.now() - 2 * DAY_MS
    const reported = await reportProblem(t.db, {
      actor: bureau,
      report: '网信部门检查发现日志缺失',
      regulatorName: '市委网信办',
      now: twoDaysAgo,
    })
    if (!reported.ok) throw new Error(reported.error.code)
    const { code } = reported.value
    const opened = await openCase(t.db, {
      actor: bureau,
      code,
      targetKind: 'operator',
      finding: '日志不全',
      ruleBreached: '《办法》第二十四条',
      deadlineOn: formatDay(twoDaysAgo + DAY_MS),
      now: twoDaysAgo,
    })
    expect(opened.ok).toBe(true)
    const listed = await run('cases:list', '--json')
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.out) as { code: string; state: string; isOverdue: boolean; regulatorName: string }[]
    expect(rows.find((r) => r.code === code)).toMatchObject({ state: 'open', isOverdue: true, regulatorName: '市委网信办' })
    const escalated = await run('cases:escalate', '--json')
    expect(escalated.code).toBe(0)
    expect(JSON.parse(escalated.out).escalated.map((c: { code: string }) => c.code)).toContain(code)
    expect(JSON.parse((await run('cases:escalate', '--json')).out)).toEqual({ escalated: [] })
    expect((await run('cases:list', '--state', 'escalated')).out).toContain(code)
    expect((await run('cases:list', '--bogus')).code).not.toBe(0)
  })
})
