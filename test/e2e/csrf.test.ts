import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { demoPassword } from '#test/support/demo-credentials.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { openUiSession } from '#test/support/ui-session.ts'

/**
 * Cross-site request forgery in a real browser (ADR 0017). An attacker's page is served from ANOTHER PORT of the same
 * host as the platform (same site, so SameSite=Lax cookies go along, but another origin). While a victim is signed in,
 * it auto-submits forms and fires fetches at the platform: a plain form post, single-fetch `.data` and `?_data=`
 * requests, and a post with a token the attacker obtained for itself after tossing its own `sdp_csrf` cookie into the
 * victim's browser. Nothing may change: no new API key, the partner not suspended, no one signed in, the audit log as
 * it was.
 */

interface Attacker {
  url: string
  server: Server
}

/** A tiny attacker site on a random port of 127.0.0.1: each path is one attack page. */
async function startAttacker(pages: (target: string) => Record<string, string>, target: string): Promise<Attacker> {
  const html = pages(target)
  const server = createServer((req, res) => {
    const page = html[new URL(req.url ?? '/', 'http://x').pathname]
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
    res.end(page ?? 'not here')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server }
}

const autoSubmit = (action: string, fields: Record<string, string>) =>
  `<!DOCTYPE html><html><body><form id="f" method="post" action="${action}">` +
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
    .join('') +
  `</form><script>document.getElementById('f').submit()</script></body></html>`

/** Fires each fetch with the victim's cookies; the title says when all have settled (their answers are opaque). */
const fetches = (requests: { url: string; fields: Record<string, string> }[], before = '') =>
  `<!DOCTYPE html><html><head><title>running</title></head><body><script>
${before}
Promise.allSettled(${JSON.stringify(requests)}.map((r) =>
  fetch(r.url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: new URLSearchParams(r.fields) })
)).then((results) => { document.title = 'done ' + results.map((x) => x.status).join(',') })
</script></body></html>`

describe('CSRF from a page on another port of the same host', () => {
  let browser: Browser
  let platform: PlatformHarness
  let attacker: Attacker
  /** The attacker's own browser id and the token the platform gave it (a sign-in page fetched server-side). */
  let tossed: { id: string; token: string }
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    const own = await openUiSession(platform.url)
    tossed = { id: /sdp_csrf=([^;]+)/.exec(own.cookie)![1]!, token: own.csrfToken }
    const toss = `document.cookie = 'sdp_csrf=${tossed.id}; path=/';`
    const createKey = { intent: 'create', name: 'attacker key' }
    const suspend = { intent: 'suspendPartner', code: 'shengjing-tech', reason: 'forged by another site' }
    attacker = await startAttacker(
      (t) => ({
        '/key-form': autoSubmit(`${t}/developer/keys`, createKey),
        '/key-fetch': fetches([
          { url: `${t}/developer/keys.data`, fields: createKey },
          { url: `${t}/developer/keys?_data=routes%2Fdeveloper.keys`, fields: createKey },
          { url: `${t}/developer/keys`, fields: createKey },
        ]),
        '/key-tossed-token': fetches(
          [
            { url: `${t}/developer/keys.data`, fields: { ...createKey, _csrf: tossed.token } },
            { url: `${t}/developer/keys`, fields: { ...createKey, _csrf: tossed.token } },
          ],
          toss,
        ),
        '/suspend-form': autoSubmit(`${t}/bureau/suspensions`, suspend),
        '/suspend-fetch': fetches([
          { url: `${t}/bureau/suspensions.data`, fields: suspend },
          { url: `${t}/bureau/suspensions?_data=routes%2Fbureau.suspensions`, fields: suspend },
          { url: `${t}/bureau/suspensions`, fields: { ...suspend, _csrf: tossed.token } },
        ]),
        '/login-csrf': fetches(
          [
            {
              url: `${t}/login.data`,
              fields: { username: 'partner.dev', password: demoPassword('partner.dev'), _csrf: tossed.token },
            },
          ],
          toss,
        ),
        '/login-form': autoSubmit(`${t}/login`, {
          username: 'partner.dev',
          password: demoPassword('partner.dev'),
          _csrf: tossed.token,
        }),
      }),
      platform.url,
    )
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await new Promise((resolve) => attacker?.server.close(resolve))
    await platform?.stop()
  })

  async function newPage(): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    contexts.push(context)
    return { page: await context.newPage(), context }
  }

  async function count(sql: string): Promise<number> {
    return Number((await platform.database.client.execute(sql)).rows[0]!.n)
  }
  const state = async () => ({
    keys: await count('SELECT count(*) AS n FROM api_keys'),
    partnerActive: await count("SELECT count(*) AS n FROM partners WHERE code = 'shengjing-tech' AND state = 'active'"),
    audit: await count('SELECT coalesce(max(seq), 0) AS n FROM audit_log'),
    sessions: await count('SELECT count(*) AS n FROM sessions'),
  })

  /** Opens an attack page in the victim's browser and waits until its requests are answered. */
  async function runAttack(page: Page, path: string) {
    if (path.endsWith('-form')) {
      // The form navigates the victim's tab to the platform: it lands on the refusal page.
      const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(platform.url))
      await page.goto(attacker.url + path)
      const response = await answered
      expect(response.status(), path).toBe(403)
      await page.waitForLoadState('load')
      expect(await page.locator('[data-refusal="cross_site"]').count(), path).toBe(1)
    } else {
      await page.goto(attacker.url + path)
      await page.waitForFunction(() => document.title.startsWith('done'))
      expect(await page.title()).toMatch(/^done (fulfilled|rejected)/)
    }
  }

  it('a signed-in developer: no API key is created by a form post, .data / ?_data= fetches or a tossed token', async () => {
    const { page } = await newPage()
    await signIn(page, platform.url, 'partner.dev')
    const before = await state()
    for (const path of ['/key-form', '/key-fetch', '/key-tossed-token']) await runAttack(page, path)
    expect(await state()).toEqual(before)

    // Control: the same post from the platform's own page, with the page's token, does create a key, so the
    // attacks above were well-formed and refused for where they came from.
    await page.goto(`${platform.url}/developer/keys`)
    await waitForHydration(page)
    const status = await page.evaluate(async () => {
      const token = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value
      const body = new URLSearchParams({ intent: 'create', name: 'own page key', _csrf: token })
      return (await fetch('/developer/keys.data', { method: 'POST', body })).status
    })
    expect(status).toBe(200)
    expect((await state()).keys).toBe(before.keys + 1)
  })

  it('a signed-in bureau user: the partner is not suspended by a form post or fetches', async () => {
    const { page } = await newPage()
    await signIn(page, platform.url, 'bureau')
    const before = await state()
    expect(before.partnerActive).toBe(1)
    for (const path of ['/suspend-form', '/suspend-fetch']) await runAttack(page, path)
    expect(await state()).toEqual(before)
    // The victim is still signed in and can work: the refusals cost nothing but the forged request.
    expect((await page.goto(`${platform.url}/bureau/suspensions`))?.status()).toBe(200)
  })

  it('a visitor who is not signed in is not signed in as someone else (login CSRF)', async () => {
    const { page, context } = await newPage()
    await page.goto(`${platform.url}/catalog`)
    const before = await state()
    for (const path of ['/login-csrf', '/login-form']) await runAttack(page, path)
    expect(await state()).toEqual(before)
    expect((await context.cookies()).filter((c) => c.name === 'sdp_session' && c.value !== '')).toEqual([])
  })

  it('a stale form (token of an ended session) is refused with a clear page, and works again after a reload', async () => {
    const { page } = await newPage()
    await signIn(page, platform.url, 'partner.dev')
    await page.goto(`${platform.url}/developer/keys`)
    await waitForHydration(page)
    // Another tab signs out and in again: this page's token belonged to the old session.
    const cookies = await page.context().cookies()
    const fresh = await browser.newContext()
    contexts.push(fresh)
    await fresh.addCookies(cookies)
    const other = await fresh.newPage()
    await other.goto(`${platform.url}/developer`)
    await waitForHydration(other)
    await Promise.all([
      other.waitForURL((url) => url.pathname === '/login'),
      other.locator('header form[action="/logout"] button').click(),
    ])
    await signIn(other, platform.url, 'partner.dev')
    await page.context().addCookies(await fresh.cookies())
    const before = await state()
    const form = page.getByTestId('create-key-form')
    await form.locator('input[name=name]').fill('stale form key')
    await form.locator('button[type=submit]').click()
    await page.locator('[role=alert][data-refusal="csrf"]').waitFor()
    expect(await page.locator('[role=alert]').textContent()).toContain('此表单已过期或来自其他网站')
    expect((await state()).keys).toBe(before.keys)
    await page.reload()
    await waitForHydration(page)
    await page.getByTestId('create-key-form').locator('input[name=name]').fill('fresh form key')
    await page.getByTestId('create-key-form').locator('button[type=submit]').click()
    await expect.poll(async () => (await state()).keys).toBe(before.keys + 1)
  })
})
