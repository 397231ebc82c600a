import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import type { Browser } from 'playwright-core'
import { partnerExits, partners } from '#db/schema/index.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { followNavLink } from '#test/support/nav.ts'

// Art. 12(4) in the browser (ADR 0033): the operator gives notice of a voluntary exit at a later date, executes it now,
// and the partner's administrator sees the notice and downloads the exit certificate.
describe('partner exit in the browser', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('operator: notice at a date, execute now; partner admin: the notice and the certificate', async () => {
    const operator = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await operator.newPage()
    await signIn(page, platform.url, 'operator')
    await expectNoSeriousAxeViolations(page)
    await followNavLink(page, '合作方退出')
    await page.waitForURL(/\/operator\/exits$/)
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('exit-start-form')
    // A reason too short is refused next to its field, and nothing is started.
    await form.getByLabel('合作方编码').fill('shengjing-tech')
    await form.getByLabel('退出原因').fill('短')
    await form.getByRole('button', { name: '发出退出通知' }).click()
    await expect(form.getByRole('alert').first().textContent()).resolves.toContain('至少 4 个字')
    expect(await platform.database.db.select().from(partnerExits)).toEqual([])

    const exitOn = formatDay(Date.now() + 10 * DAY_MS)
    await form.getByLabel('退出原因').fill('业务调整，主动退出合作')
    await form.getByLabel('退出日期（留空为立即）').fill(exitOn)
    await form.getByRole('button', { name: '发出退出通知' }).click()
    await page.getByTestId('exit-started').waitFor()
    const row = page.getByTestId('exit-shengjing-tech')
    await expect(row.getByTestId('exit-state').textContent()).resolves.toBe('已通知')
    expect(await row.textContent()).toContain(exitOn)

    // Irreversible: the button asks first.
    page.once('dialog', (dialog) => void dialog.accept())
    await row.getByRole('button', { name: '立即执行' }).click()
    await page.getByTestId('exit-executed').waitFor()
    await expect(row.getByTestId('exit-state').textContent()).resolves.toBe('已退出')
    const [partner] = await platform.database.db
      .select({ state: partners.state })
      .from(partners)
      .where(eq(partners.code, 'shengjing-tech'))
    expect(partner!.state).toBe('exited')
    await operator.close()

    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    const adminPage = await admin.newPage()
    await signIn(adminPage, platform.url, 'partner.admin')
    await expectNoSeriousAxeViolations(adminPage)
    await adminPage.goto(new URL('/partner/exit', platform.url).href)
    await expectNoSeriousAxeViolations(adminPage)
    await adminPage.getByTestId('my-exit-executed').waitFor()
    expect(await adminPage.getByTestId('my-exit-executed').textContent()).toContain('主动退出')
    const downloading = adminPage.waitForEvent('download')
    await adminPage.getByTestId('exit-certificate').click()
    const download = await downloading
    const pdf = readFileSync((await download.path())!)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const text = extractPdfText(pdf)
    expect(text).toContain('合作方退出证明')
    expect(text).toContain('主动退出')
    await admin.close()
  })
})
