import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { csrfTokenIn, openUiSession, postForm, refreshCsrfToken, signInUi, type UiSession } from '#test/support/ui-session.ts'

/**
 * CSRF over HTTP (ADR 0017): the guard's Origin / Sec-Fetch-Site rules and the session-bound token, for document
 * posts and single-fetch (`.data`) posts, on a real server. Each refusal is 403 and changes nothing (audit log tail).
 */
describe('CSRF: same-origin posts with this session’s token only', () => {
  let platform: PlatformHarness
  let developer: UiSession
  let bureau: UiSession

  beforeAll(async () => {
    platform = await startPlatform()
    ;[developer, bureau] = await Promise.all([signInUi(platform.url, 'partner.dev'), signInUi(platform.url, 'bureau')])
  })
  afterAll(async () => platform?.stop())

  async function auditTail(): Promise<number> {
    const r = await platform.database.client.execute('SELECT coalesce(max(seq), 0) AS seq FROM audit_log')
    return Number(r.rows[0]!.seq)
  }
  async function apiKeyCount(): Promise<number> {
    const r = await platform.database.client.execute('SELECT count(*) AS n FROM api_keys')
    return Number(r.rows[0]!.n)
  }

  /** Posts a key creation; expects a refusal with `status` and no change at all. */
  async function expectRefused(post: () => Promise<Response>, status = 403): Promise<{ body: string; headers: Headers }> {
    const [seq, keys] = [await auditTail(), await apiKeyCount()]
    const res = await post()
    const body = await res.text()
    expect(res.status, body.slice(0, 200)).toBe(status)
    expect(await auditTail()).toBe(seq)
    expect(await apiKeyCount()).toBe(keys)
    return { body, headers: res.headers }
  }

  const createKey = { intent: 'create', name: 'csrf probe' }

  it('gives a first visitor an httpOnly browser id and a token in every form', async () => {
    const res = await fetch(`${platform.url}/catalog`)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sdp_csrf='))
    expect(cookie).toMatch(/^sdp_csrf=[A-Za-z0-9_-]{32}; Path=\/; HttpOnly; SameSite=Lax; Secure$/)
    expect(csrfTokenIn(await res.text())).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // Static files set no cookie.
    const icon = await fetch(`${platform.url}/favicon.svg`)
    await icon.arrayBuffer()
    expect(icon.headers.getSetCookie()).toEqual([])
  })

  it('accepts a post from our own page, with the session token, as a document and as a .data request', async () => {
    const before = await apiKeyCount()
    const res = await postForm(platform.url, developer, '/developer/keys', createKey)
    expect(res.status, await res.text()).toBe(200)
    const data = await postForm(platform.url, developer, '/developer/keys.data', createKey)
    await data.arrayBuffer()
    expect(data.status).toBe(200)
    expect(await apiKeyCount()).toBe(before + 2)
  })

  it.each([
    ['no token', { ...createKey, _csrf: '' }],
    ['a malformed token', { ...createKey, _csrf: 'x'.repeat(43) }],
  ])('refuses a post with %s (document and .data)', async (_name, fields) => {
    const { body } = await expectRefused(() => postForm(platform.url, developer, '/developer/keys', fields))
    expect(body).toContain('data-refusal="csrf"')
    await expectRefused(() => postForm(platform.url, developer, '/developer/keys.data', fields))
    await expectRefused(() => postForm(platform.url, developer, '/developer/keys?_data=routes%2Fdeveloper.keys', fields))
  })

  it("refuses another session's token, and the token this browser had before signing in", async () => {
    const other = await signInUi(platform.url, 'partner.dev')
    expect(other.csrfToken).not.toBe(developer.csrfToken)
    await expectRefused(() => postForm(platform.url, developer, '/developer/keys', { ...createKey, _csrf: other.csrfToken }))
    const anonymous = await openUiSession(platform.url)
    const signedIn = await signInUi(platform.url, 'partner.dev', undefined, anonymous)
    // The same browser, now with a session: the token it had before signing in is worth nothing.
    expect(signedIn.cookie).toContain(anonymous.cookie)
    const stale = { cookie: signedIn.cookie, csrfToken: anonymous.csrfToken }
    await expectRefused(() => postForm(platform.url, stale, '/developer/keys', createKey))
  })

  it.each([
    ['Sec-Fetch-Site: same-site (another port of this host)', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['an Origin on another port', { origin: 'http://127.0.0.1:1' }],
    ['Origin: null', { origin: 'null' }],
  ])('refuses %s before Remix, even with a valid token', async (_name, headers) => {
    for (const path of ['/developer/keys', '/developer/keys.data', '/developer/keys?_data=routes%2Fdeveloper.keys']) {
      const { body, headers: answer } = await expectRefused(() =>
        postForm(platform.url, developer, path, createKey, headers as Record<string, string>),
      )
      expect(body).toContain('data-refusal="cross_site"')
      expect(answer.get('content-type')).toMatch(/^text\/html/)
    }
  })

  it('lets a post with neither Origin nor Sec-Fetch-Site through to the token check (non-browser clients)', async () => {
    const bare = (fields: Record<string, string>) =>
      fetch(`${platform.url}/developer/keys`, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { cookie: developer.cookie },
        redirect: 'manual',
      })
    await expectRefused(() => bare(createKey))
    const before = await apiKeyCount()
    const res = await bare({ ...createKey, _csrf: developer.csrfToken })
    await res.arrayBuffer()
    expect(res.status).toBe(200)
    expect(await apiKeyCount()).toBe(before + 1)
    // Sec-Fetch-Site: none (a request the user started) is the browser's own, not another site's.
    const none = await postForm(platform.url, developer, '/developer/keys', createKey, { 'sec-fetch-site': 'none' })
    await none.arrayBuffer()
    expect(none.status).toBe(200)
  })

  it('protects the sign-in form (login CSRF), the language switch and sign-out', async () => {
    const anonymous = await openUiSession(platform.url)
    const seq = await auditTail()
    const login = await postForm(platform.url, anonymous, '/login', { username: 'bureau', password: 'x', _csrf: '' })
    await login.arrayBuffer()
    expect(login.status).toBe(403)
    expect(await auditTail()).toBe(seq) // not even a failed sign-in was recorded
    const lang = await postForm(platform.url, anonymous, '/lang', { lang: 'en', _csrf: '' })
    await lang.arrayBuffer()
    expect(lang.status).toBe(403)
    expect(lang.headers.getSetCookie().some((c) => c.startsWith('sdp_lang='))).toBe(false)
    const switched = await postForm(platform.url, anonymous, '/lang', { lang: 'en' })
    await switched.arrayBuffer()
    expect(switched.status).toBe(302)

    const logout = await postForm(platform.url, bureau, '/logout', { _csrf: '' })
    await logout.arrayBuffer()
    expect(logout.status).toBe(403)
    const still = await fetch(`${platform.url}/bureau`, { headers: { cookie: bureau.cookie }, redirect: 'manual' })
    await still.arrayBuffer()
    expect(still.status).toBe(200)
  })

  it('protects the dataset upload (token in X-CSRF-Token): 403 before a byte is loaded', async () => {
    const operator = await signInUi(platform.url, 'operator')
    const page = await refreshCsrfToken(platform.url, operator, '/operator/datasets')
    const loads = async () =>
      Number((await platform.database.client.execute('SELECT count(*) AS n FROM dataset_loads')).rows[0]!.n)
    const before = await loads()
    const seq = await auditTail()
    for (const token of [null, 'x'.repeat(43), developer.csrfToken]) {
      const res = await fetch(`${platform.url}/operator/datasets/DS-RS-0001/upload`, {
        method: 'POST',
        body: 'id_card,person_name\n',
        headers: {
          cookie: page.cookie,
          'content-type': 'text/csv',
          origin: new URL(platform.url).origin,
          ...(token ? { 'x-csrf-token': token } : {}),
        },
      })
      await res.arrayBuffer()
      expect(res.status).toBe(403)
    }
    expect(await loads()).toBe(before)
    expect(await auditTail()).toBe(seq)
  })
})
