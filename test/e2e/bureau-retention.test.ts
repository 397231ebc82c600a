import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desc, eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { auditLog, logRetentionPolicies } from '#db/schema/index.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { followNavLink } from '#test/support/nav.ts'

// The bureau's log retention page in the browser (ADR 0027): a policy under the legal minimum refused next to its
// field, a policy set and audited, a purge counted first.

describe('log retention in the browser: the bureau sets a policy and counts a purge', () => {
  let browser: Browser
  let platform: PlatformHarness
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    await signIn(page, platform.url, 'bureau')
    await expectNoSeriousAxeViolations(page)
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await platform?.stop()
  })

  it('reaches the page from the header, refuses 5 months at the field, sets 12 and counts a purge', async () => {
    await followNavLink(page, '日志留存')
    await page.waitForURL(/\/bureau\/retention$/)
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    await expect(page.getByTestId('retention-usage').getByTestId('keep-months').textContent()).resolves.toBe('36')

    const form = page.getByTestId('policy-form-loads')
    await form.getByLabel('保留月数').fill('5')
    await form.getByRole('button', { name: '设定策略' }).click()
    await expect(form.getByRole('alert').textContent()).resolves.toContain('日志至少保留 6 个月')
    expect(await platform.database.db.select().from(logRetentionPolicies).where(eq(logRetentionPolicies.kind, 'loads'))).toEqual(
      [],
    )

    await form.getByLabel('保留月数').fill('12')
    await form.getByLabel('依据或说明').fill('加载记录保留一年')
    await form.getByRole('button', { name: '设定策略' }).click()
    await page.getByTestId('retention-saved').waitFor()
    await expect(page.getByTestId('retention-loads').getByTestId('keep-months').textContent()).resolves.toBe('12')
    const [entry] = await platform.database.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1)
    expect(entry).toMatchObject({ action: 'log_retention_policy.set', objectId: 'loads', actorLabel: 'bureau' })

    await page.getByTestId('purge-form-loads').getByRole('button', { name: '按策略清理' }).click()
    await expect(page.getByTestId('retention-purged').textContent()).resolves.toMatch(/数据加载记录：将删除 0 条（保留 12 个月/)
  })
})
