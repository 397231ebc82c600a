import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { auditLog, users } from '#db/schema/index.ts'
import { addCalendarMonths, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { openUiSession, postForm, signInUi, type UiSession } from '#test/support/ui-session.ts'

/** The auditor's pages and the bureau's auditor accounts over HTTP (ADR 0026). */
describe('auditor accounts and log pages over HTTP', () => {
  let platform: PlatformHarness
  let bureau: UiSession
  let auditor: UiSession

  beforeAll(async () => {
    platform = await startPlatform()
    bureau = await signInUi(platform.url, 'bureau')
    auditor = await signInUi(platform.url, 'auditor')
  }, 60_000)
  afterAll(async () => platform?.stop())

  const get = (path: string, session: UiSession) =>
    fetch(new URL(path, platform.url), { headers: { cookie: session.cookie }, redirect: 'manual' })

  it('the bureau creates an auditor: the initial password is shown once, and the first sign-in must change it', async () => {
    const termEndsOn = formatDay(addCalendarMonths(Date.now(), 6))
    const created = await postForm(platform.url, bureau, '/bureau/auditors', {
      intent: 'create',
      username: 'auditor.zhou',
      displayName: '周审计',
      organization: '沈阳某会计师事务所',
      termEndsOn,
    })
    expect(created.status).toBe(200)
    const html = await created.text()
    const password = /data-testid="auditor-password">([^<]+)</.exec(html)?.[1]
    expect(password).toBeDefined()
    const [row] = await platform.database.db.select().from(users).where(eq(users.username, 'auditor.zhou'))
    expect(row).toMatchObject({ role: 'auditor', mustChangePassword: true, organization: '沈阳某会计师事务所' })
    // The password is in no audit entry.
    const entries = await platform.database.db.select().from(auditLog).where(eq(auditLog.objectId, row!.id))
    expect(JSON.stringify(entries)).not.toContain(password!)
    // The list shows it; the new auditor signs in and is sent to change the password before anything else.
    expect(await (await get('/bureau/auditors', bureau)).text()).toContain('auditor.zhou')
    const visitor = await openUiSession(platform.url)
    const signedIn = await postForm(platform.url, visitor, '/login', {
      username: 'auditor.zhou',
      password: password!.replace(/&amp;/g, '&'),
    })
    expect(signedIn.status).toBe(302)
    expect(signedIn.headers.get('location')).toBe('/audit')
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const home = await fetch(new URL('/audit', platform.url), { headers: { cookie }, redirect: 'manual' })
    expect(home.status).toBe(302)
    expect(home.headers.get('location')).toBe('/account/password')

    const tooLong = await postForm(platform.url, bureau, '/bureau/auditors', {
      intent: 'create',
      username: 'auditor.wu',
      displayName: '吴审计',
      organization: '某所',
      termEndsOn: formatDay(addCalendarMonths(Date.now(), 13)),
    })
    expect(tooLong.status).toBe(400)
    expect(await tooLong.text()).toMatch(/期限最长一年|at most one year/)
  })

  it('streams the CSV export to the auditor, refuses a bad search with a code, and forbids other roles', async () => {
    const csv = await get('/audit/logs/export?kind=audit', auditor)
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="logs-audit-\d{4}-\d{2}-\d{2}\.csv"$/)
    const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await csv.arrayBuffer())
    expect(body.startsWith('\uFEFFkind,time,request_id,event,status,actor')).toBe(true)

    const bad = await get('/audit/logs/export?kind=loads&partner=shengjing-tech', auditor)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: { code: 'validation_failed', fields: { partner: 'not_applicable' } } })
    expect((await get('/audit/logs?kind=usage&cursor=%27%3B--', auditor)).status).toBe(400)
    expect((await get('/audit/logs?kind=usage&from=2026-02-31', auditor)).status).toBe(400)

    const partner = await signInUi(platform.url, 'partner.admin')
    expect((await get('/audit/logs/export?kind=usage', partner)).status).toBe(403)
    expect((await get('/audit/logs', partner)).status).toBe(403)
  })

  it('the bureau reads the audit trail with names and pages it by cursor', async () => {
    const first = await get('/bureau/audit', bureau)
    expect(first.status).toBe(200)
    const html = await first.text()
    expect(html).toContain('data-testid="log-rows"')
    const next = /href="(\/bureau\/audit\?cursor=[^"]+)"/.exec(html)?.[1]
    expect(next, 'a next-page link').toBeDefined()
    const second = await get(next!.replace(/&amp;/g, '&'), bureau)
    expect(second.status).toBe(200)
    expect(await second.text()).toContain('data-testid="log-rows"')
  })
})
