import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { followNavLink } from '#test/support/nav.ts'

/**
 * The Content-Security-Policy (server/security-headers.ts) is strict: scripts only from our origin or with the
 * response's nonce. These pages must still hydrate, navigate, post forms and run Swagger UI under it, with not one
 * violation reported by the browser.
 */
describe('pages and the API docs work under the Content-Security-Policy', () => {
  let browser: Browser
  let platform: PlatformHarness
  let context: BrowserContext
  let page: Page
  const violations: string[] = []

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    // Every violation the page sees, reported by the page itself (console wording differs between versions).
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`)
      })
    })
    page = await context.newPage()
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`)
    })
    page.on('pageerror', (error) => violations.push(`${page.url()}: page error ${error.message}`))
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  it('sends a nonce-based CSP with each page, and the static security headers with pages and static files', async () => {
    const document = await fetch(at('/login'))
    const html = await document.text()
    const csp = document.headers.get('content-security-policy') ?? ''
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/)
    // Every inline script of the page carries this response's nonce.
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!)
    expect(scripts.length).toBeGreaterThan(0)
    for (const attrs of scripts) if (!/\bsrc=/.test(attrs)) expect(attrs).toContain(`nonce="${nonce}"`)
    // A new nonce per response.
    const again = await fetch(at('/login'))
    await again.arrayBuffer()
    expect(again.headers.get('content-security-policy')).not.toContain(nonce)

    const script = /src="(\/build\/[^"]+\.js)"|href="(\/build\/[^"]+\.js)"/.exec(html)
    // The CJK web font's stylesheet, copied and hashed by the build (ADR 0034).
    const fontCss = /href="(\/build\/_assets\/400-[^"]+\.css)"/.exec(html)?.[1]
    expect(fontCss).toBeDefined()
    const staticPaths = ['/favicon.svg', fontCss!, '/vendor/swagger-ui/swagger-ui-bundle.js']
    if (script) staticPaths.push(script[1] ?? script[2]!)
    for (const path of ['/login', '/catalog', '/catalog/no-such-product', ...staticPaths]) {
      const res = await fetch(at(path))
      await res.arrayBuffer()
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('x-frame-options'), path).toBe('DENY')
      expect(res.headers.get('referrer-policy'), path).toBe('same-origin')
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'")
      // TRUST_PROXY is off in tests: no TLS in front, so no HSTS.
      expect(res.headers.get('strict-transport-security'), path).toBeNull()
    }

    // Hashed build assets (scripts, styles, the font's files) are cached for good and sent compressed; pages are not
    // compressed (BREACH: the CSRF token beside reflected input).
    const fontFile = /url\("?([^)"]+\.woff2)"?\)/.exec(await (await fetch(at(fontCss!))).text())?.[1]
    expect(fontFile).toBeDefined()
    for (const path of [fontCss!, script![1] ?? script![2]!, new URL(fontFile!, at(fontCss!)).pathname]) {
      const res = await fetch(at(path), { headers: { 'accept-encoding': 'br, gzip' } })
      const size = (await res.arrayBuffer()).byteLength
      expect(res.status, path).toBe(200)
      expect(res.headers.get('cache-control'), path).toBe('public, max-age=31536000, immutable')
      // Compressed above 1 KB (smaller gains nothing); woff2 is compressed already. The font stylesheet is ~100 KB.
      if (!path.endsWith('.woff2') && size > 1024) expect(res.headers.get('content-encoding'), path).toBe('br')
      if (path === fontCss) expect(size).toBeGreaterThan(1024)
    }
    const page = await fetch(at('/catalog'), { headers: { 'accept-encoding': 'br, gzip' } })
    await page.arrayBuffer()
    expect(page.headers.get('content-encoding')).toBeNull()
  })

  it('hydrates, switches language and signs in without a CSP violation', async () => {
    await page.goto(at('/catalog'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    await page.getByTestId('lang-switch').click()
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    await signIn(page, platform.url, 'operator')
    await expectNoSeriousAxeViolations(page)
    expect(new URL(page.url()).pathname).toBe('/operator')
    // Client-side navigation (single fetch) and a page with inline style attributes.
    await followNavLink(page, 'Datasets')
    await page.waitForURL((url) => url.pathname === '/operator/datasets')
    await expectNoSeriousAxeViolations(page)
    await page.goto(at('/fees'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    expect(violations).toEqual([])
  })

  it('runs Swagger UI at /developer/docs without a CSP violation', async () => {
    await context.clearCookies()
    await signIn(page, platform.url, 'partner.dev')
    await expectNoSeriousAxeViolations(page)
    await page.goto(at('/developer/docs'))
    await page.locator('#swagger-ui .opblock').first().waitFor({ timeout: 30_000 })
    // Swagger UI's own markup (third party: low-contrast method colours, a copy button nested in each operation's
    // button, an unlabelled servers select) is left out; the page around it is checked.
    await expectNoSeriousAxeViolations(page, { exclude: ['#swagger-ui'] })
    expect(await page.getByTestId('swagger-ui').getAttribute('data-state')).toBe('ready')
    // Open one operation, so the part of Swagger UI that renders schemas and examples runs too.
    await page.locator('#swagger-ui .opblock-summary').first().click()
    await page.locator('#swagger-ui .opblock-body').first().waitFor()
    expect(violations).toEqual([])
  })
})
