import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'

// The annual disclosure in the browser (65号; ADR 0036): the operator prepares this year's edition and writes a
// narrative, the bureau publishes it, a visitor (no sign-in) finds it in the archive, reads it and opens its PDF.
// An unpublished year is not found.
const YEAR = new Date().getUTCFullYear()

describe('annual disclosure: prepared, published, read by a visitor', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  async function asUser<T>(username: string | null, fn: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      page.on('dialog', (dialog) => void dialog.accept())
      if (username) await signIn(page, platform.url, username)
      return await fn(page)
    } finally {
      await context.close()
    }
  }

  it(`the operator prepares ${YEAR}, the bureau publishes, a visitor opens /disclosure/${YEAR}`, async () => {
    // Before publication the year is not public.
    const before = await fetch(at(`/disclosure/${YEAR}`))
    expect(before.status).toBe(404)

    await asUser('operator', async (page) => {
      await page.goto(at(`/operator/disclosure?year=${YEAR}`))
      await waitForHydration(page)
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('prepared') === '1'),
        page.getByTestId('disclosure-prepare').click(),
      ])
      await waitForHydration(page)
      await page.locator('textarea[name=implementers]').fill('实施主体：<b>演示</b>科技有限公司')
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('saved') === '2'),
        page.getByTestId('disclosure-save-narrative').click(),
      ])
      expect(await page.getByTestId('disclosure-state').textContent()).toBe('待发布')
    })

    await asUser('bureau', async (page) => {
      await page.goto(at(`/bureau/disclosure?year=${YEAR}`))
      await waitForHydration(page)
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('published') === '1'),
        page.getByTestId('disclosure-publish').click(),
      ])
      // The notice comes with the re-render after the redirect: wait for it rather than count at once.
      await page.getByTestId('disclosure-published-notice').waitFor()
      expect(await page.getByTestId('disclosure-published-notice').count()).toBe(1)
    })

    await asUser(null, async (page) => {
      await page.goto(at('/fees'))
      await Promise.all([page.waitForURL((u) => u.pathname === '/disclosure'), page.getByTestId('disclosure-link').click()])
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/disclosure/${YEAR}`),
        page.getByTestId(`disclosure-year-${YEAR}`).click(),
      ])
      expect(await page.getByTestId('disclosure-title').textContent()).toContain(String(YEAR))
      // The narrative is text, never markup.
      expect(await page.getByTestId('narrative-implementers').textContent()).toContain('<b>演示</b>')
      expect(await page.getByTestId('narrative-implementers').locator('b').count()).toBe(0)
      expect(await page.getByTestId('revenue-cap-table').count()).toBe(1)
      const pdf = await fetch(at(`/disclosure/${YEAR}/pdf`))
      expect(pdf.status).toBe(200)
      expect(pdf.headers.get('content-type')).toBe('application/pdf')
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-')
    })
    // A year nobody published, and a malformed one, are not found.
    expect((await fetch(at(`/disclosure/${YEAR + 1}`))).status).toBe(404)
    expect((await fetch(at('/disclosure/20x6'))).status).toBe(404)
    expect((await fetch(at(`/disclosure/${YEAR + 1}/pdf`))).status).toBe(404)
  })
})
