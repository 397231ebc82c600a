import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import type { Browser } from 'playwright-core'
import { auditLog, users } from '#db/schema/index.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

describe('the third-party auditor in the browser (ADR 0026)', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('signs in, searches the audit log, exports it as CSV, verifies the chain; every read is audited', async () => {
    const context = await browser.newContext({ acceptDownloads: true })
    const page = await context.newPage()
    try {
      await signIn(page, platform.url, 'auditor')
      await expectNoSeriousAxeViolations(page)
      expect(new URL(page.url()).pathname).toBe('/audit')
      await page.getByTestId('auditor-term').waitFor()

      await page.goto(new URL('/audit/logs', platform.url).href)
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('log-search-form')
      await form.locator('select[name=kind]').selectOption('audit')
      await form
        .locator('input[name=text]')
        .waitFor({ state: 'detached' })
        .catch(() => undefined)
      await page.getByTestId('log-search').click()
      await page.waitForURL((url) => url.searchParams.get('kind') === 'audit')
      await expectNoSeriousAxeViolations(page)
      await page.getByTestId('log-rows').waitFor()
      // Names instead of keys: the seed created the bureau's account, shown by its display name.
      expect(await page.getByTestId('log-rows').textContent()).toContain('市数据局 李审核')

      const downloading = page.waitForEvent('download')
      await page.getByTestId('log-export').click()
      const download = await downloading
      const csv = readFileSync((await download.path())!, 'utf8')
      expect(csv.startsWith('\uFEFFkind,time,request_id,event')).toBe(true)
      expect(csv.split('\r\n').filter((l) => l.startsWith('audit,')).length).toBeGreaterThan(10)

      await page.getByTestId('log-verify').click()
      await page.getByTestId('audit-chain').waitFor()
      expect(await page.getByTestId('audit-chain').textContent()).toMatch(/审计链完整|intact/)

      const [auditor] = await platform.database.db.select().from(users).where(eq(users.username, 'auditor'))
      const reads = await platform.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(eq(auditLog.actorId, auditor!.id))
      const actions = reads.map((r) => r.action)
      expect(actions).toContain('logs.search')
      expect(actions).toContain('logs.export')
      expect(actions).toContain('audit_chain.verify')

      // The term ends: the open session is refused at the next page, with the reason.
      await platform.database.db.run(sql`UPDATE users SET access_expires_at = ${Date.now() - 1000} WHERE id = ${auditor!.id}`)
      await page.goto(new URL('/audit/logs', platform.url).href)
      await expectNoSeriousAxeViolations(page)
      expect(new URL(page.url()).pathname).toBe('/login')
      expect(await page.locator('.notice').textContent()).toMatch(/期限已结束|term of this account has ended/)
    } finally {
      await context.close()
    }
  })
})
