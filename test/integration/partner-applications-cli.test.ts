import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { partnerApplications, partners, users } from '#db/schema/index.ts'
import { runCli } from '#cli/platform.ts'
import { makeIdCard } from '#platform/codes/id-card.ts'
import { submitPartnerApplication } from '#partner-access/applications/submit-partner-application.ts'
import { findUserInvite } from '#partner-access/applications/accept-user-invite.ts'
import { DEMO_APPLICATION_NUMBER } from '#seed/seed-applications-demo.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

describe('applications CLI: applications:list, applications:approve, applications:reject', () => {
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

  it('lists (ID numbers masked), approves with an invite path, rejects with a reason', async () => {
    const id = makeIdCard({ divisionCode: '210102', birth: '19880808', sequence3: 123 })
    const submitted = await submitPartnerApplication(t.db, {
      actor: { id: null, label: 'cli', role: 'cli' },
      input: {
        kind: 'natural_person',
        name: '孙七',
        idNumber: id,
        contactName: '孙七',
        contactPhone: '13911112222',
        contactEmail: 'sun@example.cn',
        scenarios: '个人研究',
        purpose: 'public_interest',
      },
      address: '203.0.113.4',
    })
    if (!submitted.ok) throw new Error(submitted.error.code)
    const listed = await run('applications:list', '--json')
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.out) as { number: string; idNumber: string | null; state: string }[]
    expect(rows.map((r) => r.number)).toEqual(expect.arrayContaining([DEMO_APPLICATION_NUMBER, submitted.value.number]))
    expect(listed.out).not.toContain(id)
    expect(rows.find((r) => r.number === submitted.value.number)?.idNumber).toMatch(/^\d{4}\*+[\dX]{4}$/)
    expect((await run('applications:list', '--state', 'nonsense')).code).toBe(2)

    const approved = await run('applications:approve', DEMO_APPLICATION_NUMBER, '--json')
    expect(approved.code).toBe(0)
    const value = JSON.parse(approved.out) as { partnerCode: string; username: string; invitePath: string }
    expect(value.invitePath).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/)
    expect(await t.db.select().from(partners).where(eq(partners.code, value.partnerCode))).toHaveLength(1)
    expect((await t.db.select().from(users).where(eq(users.username, value.username)))[0]).toMatchObject({
      role: 'partner_admin',
    })
    expect(await findUserInvite(t.db, { token: value.invitePath.slice('/invite/'.length) })).toMatchObject({ state: 'valid' })
    const twice = await run('applications:approve', DEMO_APPLICATION_NUMBER)
    expect(twice.code).toBe(1)
    expect(twice.err).toContain('application_decided')

    expect((await run('applications:reject', submitted.value.number)).code).toBe(2)
    const rejected = await run('applications:reject', submitted.value.number, '--reason', '材料不全', '--json')
    expect(rejected.code).toBe(0)
    const [row] = await t.db.select().from(partnerApplications).where(eq(partnerApplications.number, submitted.value.number))
    expect(row).toMatchObject({ state: 'rejected', reason: '材料不全' })
    expect((await run('applications:approve', 'SQ-0000-000000')).code).toBe(1)
  })
})
