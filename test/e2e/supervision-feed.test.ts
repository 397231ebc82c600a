import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { startFeedReceiver, type FeedReceiver } from '#test/support/supervision-feed-receiver.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const KEY = 'e2e-feed-key-0123456789abcdef0123456789'

describe('the supervision feed page in the browser (ADR 0025)', () => {
  let browser: Browser
  let platform: PlatformHarness
  let receiver: FeedReceiver

  beforeAll(async () => {
    ;[browser, platform, receiver] = await Promise.all([launchBrowser(), startPlatform(), startFeedReceiver(KEY)])
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await browser?.close()
    await platform?.stop()
    await receiver?.stop()
  })

  it('shows the feed off, then on: the bureau sends now and sees the delivered seq and the batches', async () => {
    const page = await browser.newPage()
    try {
      await signIn(page, platform.url, 'bureau')
      await expectNoSeriousAxeViolations(page)
      await page.goto(new URL('/bureau/supervision-feed', platform.url).href)
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      expect(await page.getByTestId('feed-config').textContent()).toMatch(/未开启|off/)
      expect(await page.getByTestId('feed-sync').count()).toBe(0)

      // The server reads the feed's settings from its environment at each run.
      vi.stubEnv('SUPERVISION_FEED_URL', receiver.url)
      vi.stubEnv('SUPERVISION_FEED_KEY', KEY)
      await page.reload()
      await waitForHydration(page)
      expect(await page.getByTestId('feed-config').textContent()).toContain(receiver.url)
      await page.getByTestId('feed-sync').click()
      await page.getByTestId('feed-synced').waitFor()
      expect(receiver.records.length).toBeGreaterThan(0)
      expect(receiver.attempts.every((a) => a.signatureOk && a.status === 200)).toBe(true)
      const deliveredSeq = Number((await page.getByTestId('feed-delivered-seq').textContent())!.replace(/\D/g, ''))
      expect(deliveredSeq).toBe(receiver.records.at(-1)!.seq)
      expect(await page.getByTestId('feed-batches').locator('tbody tr').count()).toBeGreaterThan(0)
      expect(await page.content()).not.toContain(KEY)
    } finally {
      await page.close()
    }
  })
})
