import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext } from 'playwright-core'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { demoApiKey } from '#test/support/demo-credentials.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { followNavLink } from '#test/support/nav.ts'

// Reviewed model release (ADR 0044) through the pages: the developer trains an L2 tree through the metered API with
// the pasted key and asks for its release; the operator approves it; the developer downloads it once.
describe('sandbox models: train → request → approve → download', () => {
  let browser: Browser
  let platform: PlatformHarness
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await platform?.stop()
  })

  async function pageAs(username: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    contexts.push(context)
    const page = await context.newPage()
    page.on('dialog', (d) => void d.accept())
    await signIn(page, platform.url, username)
    return page
  }

  it('walks a model from training to its one download', async () => {
    const dev = await pageAs('partner.dev')
    await followNavLink(dev, /沙箱模型/)
    await dev.waitForURL((u) => u.pathname === '/developer/sandbox/models')
    await waitForHydration(dev)
    await expectNoSeriousAxeViolations(dev)

    await dev.getByTestId('model-key').fill(demoApiKey)
    await dev.getByTestId('model-spec').fill(
      JSON.stringify({
        kind: 'decision_tree',
        from: 'DS-SCJG-0001',
        features: ['DS-SCJG-0001.registered_capital_wan', 'DS-SCJG-0001.industry'],
        label: { field: 'DS-SCJG-0001.status', positive: ['abnormal', 'revoked'] },
      }),
    )
    await dev.getByTestId('model-train').click()
    await dev.getByTestId('model-trained').waitFor({ timeout: 60_000 })
    const card = dev.locator('section[data-testid^="model-"]').first()
    await card.getByTestId('model-checks').waitFor()
    await expect(card.locator('[data-check="membership_inference"]').getAttribute('data-passed')).resolves.toBe('true')
    await card.getByTestId('model-request').click()
    await dev.getByTestId('model-requested').waitFor()
    await expect.poll(() => card.getByTestId('model-state').textContent(), { timeout: 30_000 }).toBe('待运营单位审核')

    const op = await pageAs('operator')
    await followNavLink(op, /模型发布审核/)
    await op.waitForURL((u) => u.pathname === '/operator/sandbox-models')
    await waitForHydration(op)
    await expectNoSeriousAxeViolations(op)
    await op.getByTestId('model-approve').first().click()
    await op.getByTestId('model-review-done').waitFor()
    await expect(op.getByTestId('model-review-done').textContent()).resolves.toContain('已发布')

    await dev.reload()
    await waitForHydration(dev)
    await dev.getByTestId('model-key').fill(demoApiKey)
    const download = dev.waitForEvent('download')
    await dev.getByTestId('model-download').first().click()
    expect((await download).suggestedFilename()).toMatch(/^model-.+\.json$/)
    await dev.getByTestId('model-downloaded').waitFor()
    // Once: the button is gone, the time of the download shown.
    await expect.poll(() => dev.getByTestId('model-download').count(), { timeout: 30_000 }).toBe(0)
    await expectNoSeriousAxeViolations(dev)
  })
})
