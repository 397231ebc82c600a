import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { partnerApplicationDocuments, partnerApplications, users } from '#db/schema/index.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { approvePartnerApplication } from '#partner-access/applications/decide-partner-application.ts'
import {
  APPLICATIONS_PER_ADDRESS_PER_HOUR,
  applicationDocumentDirectoryOf,
} from '#partner-access/applications/application-rules.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { openUiSession, postForm, refreshCsrfToken, signInUi, type UiSession } from '#test/support/ui-session.ts'

// The public routes of applying to become a partner over HTTP (ADR 0030): the links from the catalog, the form's CSRF
// for a visitor, the per-address throttle, the document upload (hostile files refused, nothing stored), the status
// page, the invite (password set, signed in; single use), the reviewer's download. Needs `remix build`.
const PDF = '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'
const PASSWORD = 'Qx7#lantern-Ridge'

const form = (n: number) => ({
  kind: 'legal_person',
  name: `沈阳接口测试有限公司${n}`,
  uscc: makeUscc({
    registrationAuthority: '9',
    orgType: '1',
    divisionCode: '210103',
    orgCodeBody8: `MA0H${String(n).padStart(4, '0')}`,
  }),
  contactName: '王芳',
  contactPhone: '13800001111',
  contactEmail: 'wang@example.cn',
  scenarios: '小微企业贷前核验',
  purpose: 'industrial',
})

describe('applying to become a partner over HTTP', () => {
  let platform: PlatformHarness
  let visitor: UiSession
  const serverLog: string[] = []
  beforeAll(async () => {
    platform = await startPlatform({ log: (line) => serverLog.push(line) })
    visitor = await openUiSession(platform.url)
    visitor = await refreshCsrfToken(platform.url, visitor, '/apply')
  }, 120_000)
  afterAll(async () => {
    await platform?.stop()
    expect(serverLog.filter((line) => /internal error/i.test(line))).toEqual([])
  })

  const count = async () => (await platform.database.db.select().from(partnerApplications)).length
  const apply = (fields: Record<string, string>, session = visitor, headers: Record<string, string> = {}) =>
    postForm(platform.url, session, '/apply', fields, headers)

  it('the home page, the catalog and every product page link to the application form', async () => {
    for (const path of ['/', '/catalog', '/catalog/verify-enterprise-identity']) {
      const html = await (await fetch(platform.url + path)).text()
      expect(html, path).toMatch(/<a [^>]*data-testid="become-partner-link"[^>]*>|<a [^>]*href="\/apply"[^>]*>/)
      expect(/<a [^>]*data-testid="become-partner-link"[^>]*>/.exec(html)?.[0], path).toContain('href="/apply"')
      expect(html, path).toContain('申请成为合作方')
    }
    expect((await fetch(platform.url + '/apply')).status).toBe(200)
  })

  let statusPath = ''
  it('takes a visitor’s application with its CSRF token, and refuses one without it or from another browser', async () => {
    const before = await count()
    const noToken = await apply({ ...form(1), _csrf: '' })
    expect(noToken.status).toBe(403)
    const other = await openUiSession(platform.url)
    expect((await apply({ ...form(1), _csrf: other.csrfToken })).status).toBe(403)
    const crossSite = await apply(form(1), visitor, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
    expect(crossSite.status).toBe(403)
    expect(await count()).toBe(before)

    const bad = await apply({ ...form(1), uscc: form(1).uscc.slice(0, 17) + (form(1).uscc.endsWith('0') ? '1' : '0') })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('统一社会信用代码无效')
    expect(await count()).toBe(before)

    const good = await apply(form(1))
    expect(good.status).toBe(302)
    statusPath = good.headers.get('location')!.split('?')[0]!
    expect(statusPath).toMatch(/^\/apply\/status\/[A-Za-z0-9_-]{43}$/)
    const page = await fetch(platform.url + statusPath)
    expect(page.status).toBe(200)
    expect(await page.text()).toMatch(/SQ-\d{4}-\d{6}/)
    expect((await fetch(platform.url + '/apply/status/' + 'x'.repeat(43))).status).toBe(404)
    // A signed-in account does not apply.
    const partner = await signInUi(platform.url, 'partner.admin')
    expect((await apply(form(2), partner)).status).toBe(403)
  })

  async function upload(body: BodyInit, headers: Record<string, string> = {}, session = visitor, path = statusPath) {
    const res = await fetch(`${platform.url}${path}/documents`, {
      method: 'POST',
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrfToken,
        'content-type': 'application/octet-stream',
        ...headers,
      },
      body,
    })
    return { status: res.status, json: (await res.json().catch(() => null)) as { error?: string; id?: string } | null }
  }

  it('stores a PDF document by its bytes; hostile uploads get a stable 4xx and store nothing', async () => {
    // Counted in the database (the directory is shared by the test copies of one run): a refusal stores no row, and
    // its file is removed (the store writes `<id>.part` and renames only after the checks).
    const directory = applicationDocumentDirectoryOf(platform.database.url)
    const documents = async () => (await platform.database.db.select().from(partnerApplicationDocuments)).length
    const before = await documents()
    expect(await upload('<html><script>alert(1)</script></html>')).toEqual({
      status: 400,
      json: { error: 'unsupported_file_type' },
    })
    expect(await upload(PDF, { 'content-type': 'text/html' })).toEqual({
      status: 415,
      json: { error: 'unsupported_content_type' },
    })
    expect(await upload(PDF, { 'x-csrf-token': 'nope' })).toMatchObject({ status: 403 })
    expect(await upload(PDF, {}, visitor, '/apply/status/' + 'y'.repeat(43))).toEqual({
      status: 404,
      json: { error: 'application_not_found' },
    })
    expect(await documents()).toBe(before)
    const ok = await upload(PDF, { 'x-file-name': encodeURIComponent('营业执照.pdf') })
    expect(ok).toMatchObject({ status: 200, json: { id: expect.any(String) } })
    expect(await documents()).toBe(before + 1)
    expect(readdirSync(directory)).toContain(ok.json!.id)
    expect(await (await fetch(platform.url + statusPath)).text()).toContain('营业执照.pdf')
  })

  it('throttles applications per address: the next one past the hour’s limit is 429 and stores nothing', async () => {
    const [row] = await platform.database.db
      .select()
      .from(partnerApplications)
      .where(eq(partnerApplications.name, form(1).name))
    const fromHere = (await platform.database.db.select().from(partnerApplications)).filter(
      (r) => r.address === row!.address,
    ).length
    for (let i = fromHere; i < APPLICATIONS_PER_ADDRESS_PER_HOUR; i++) expect((await apply(form(10 + i))).status).toBe(302)
    const before = await count()
    const refused = await apply(form(99))
    expect(refused.status).toBe(429)
    expect(await refused.text()).toContain('一小时内提交的申请过多')
    expect(await count()).toBe(before)
  })

  it('after approval the status page offers the invite; it sets the password, signs in, and works once', async () => {
    const { db } = platform.database
    const [row] = await db
      .select()
      .from(partnerApplications)
      .where(eq(partnerApplications.name, form(1).name))
    const operator = userActor((await db.select().from(users).where(eq(users.username, 'operator')))[0]!)
    const approved = await approvePartnerApplication(db, { actor: operator, number: row!.number })
    if (!approved.ok) throw new Error(approved.error.code)
    const token = statusPath.split('/').pop()!
    const page = await (await fetch(platform.url + statusPath)).text()
    expect(page).toContain(`/invite/${token}`)
    const browser = await refreshCsrfToken(platform.url, await openUiSession(platform.url), `/invite/${token}`)
    const differ = await postForm(platform.url, browser, `/invite/${token}`, { password: PASSWORD, confirm: 'other' })
    expect(differ.status).toBe(400)
    const weak = await postForm(platform.url, browser, `/invite/${token}`, { password: 'password', confirm: 'password' })
    expect(weak.status).toBe(400)
    const set = await postForm(platform.url, browser, `/invite/${token}`, { password: PASSWORD, confirm: PASSWORD })
    expect(set.status).toBe(302)
    expect(set.headers.get('location')).toBe('/partner')
    const cookie = set.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    expect(cookie).toContain('sdp_session=')
    const home = await fetch(platform.url + '/partner', {
      headers: { cookie: `${browser.cookie}; ${cookie}` },
      redirect: 'manual',
    })
    expect(home.status).toBe(200)
    // The operator's link is spent with the status link.
    const again = await refreshCsrfToken(platform.url, await openUiSession(platform.url), `/invite/${approved.value.inviteToken}`)
    const reused = await postForm(platform.url, again, `/invite/${approved.value.inviteToken}`, {
      password: `${PASSWORD}9`,
      confirm: `${PASSWORD}9`,
    })
    expect(reused.status).toBe(409)
    expect(await reused.text()).toContain('邀请链接已使用过')
    expect(await (await fetch(platform.url + `/invite/${token}`)).text()).toContain('data-state="used"')
  })

  it('serves documents to the operator only, as sandboxed attachments', async () => {
    const { db } = platform.database
    const [row] = await db
      .select()
      .from(partnerApplications)
      .where(eq(partnerApplications.name, form(1).name))
    const operator = await signInUi(platform.url, 'operator')
    const detail = await fetch(`${platform.url}/operator/applications/${row!.number}`, { headers: { cookie: operator.cookie } })
    const html = await detail.text()
    const href = /href="(\/operator\/applications\/[^"]+\/documents\/[0-9a-f-]{36})"/.exec(html)?.[1]
    expect(href).toBeDefined()
    const res = await fetch(platform.url + href!, { headers: { cookie: operator.cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(res.headers.get('content-security-policy')).toContain('sandbox')
    expect(await res.text()).toBe(PDF)
    const partner = await signInUi(platform.url, 'partner.admin')
    expect((await fetch(platform.url + href!, { headers: { cookie: partner.cookie }, redirect: 'manual' })).status).toBe(403)
    expect((await fetch(platform.url + href!, { redirect: 'manual' })).status).toBe(302)
  })
})
