import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Browser, Page } from 'playwright-core'
import { agreementAcceptances, cityEnterprises, partners } from '#db/schema/index.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { extractPdfText } from '#test/support/pdf-text.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

// Partner agreements in the browser (Art. 22; ADR 0031): the operator drafts a new cooperation agreement, the bureau
// approves it, the demo partner's calls pause (403 agreement_not_accepted) with a banner on its pages, its
// administrator accepts the exact text shown, calls answer again, and the signed PDF carries the hash.

describe('a new agreement version: drafted, approved, accepted, downloaded', () => {
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

  async function asUser<T>(username: string, fn: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      await signIn(page, platform.url, username)
      await expectNoSeriousAxeViolations(page)
      return await fn(page)
    } finally {
      await context.close()
    }
  }

  async function callAfterPromise(): Promise<{ status: number; code: string | null }> {
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    const [row] = await platform.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    const res = await fetch(at('/api/v1/verifications/enterprise'), {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(row),
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  it('pauses the partner until its administrator accepts, then answers; the PDF carries the acceptance hash', async () => {
    expect(await callAfterPromise()).toEqual({ status: 200, code: null })

    await asUser('operator', async (page) => {
      await page.goto(at('/operator/agreements'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const form = page.getByTestId('agreement-draft-form')
      await form.locator('select[name=kind]').selectOption('cooperation')
      await form.locator('input[name=titleZh]').fill('沈阳市公共数据授权运营合作协议（2026 修订）')
      await form.locator('input[name=titleEn]').fill('Cooperation agreement (2026 revision)')
      await form.locator('textarea[name=bodyZh]').fill('第一条 合作方在订阅的应用场景内使用数据产品。')
      await form.locator('textarea[name=bodyEn]').fill('1. The partner uses data products within its subscribed scenarios.')
      await form.locator('input[name=effectiveOn]').fill(formatDay(Date.now()))
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('drafted') === '2'),
        form.locator('button[type=submit]').click(),
      ])
      expect(await page.getByTestId('agreement-version-cooperation-2').textContent()).toContain('待审批')
    })

    await asUser('bureau', async (page) => {
      await page.goto(at('/bureau/agreements'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const draft = page.getByTestId('agreement-draft-cooperation-2')
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('decided') === '1'),
        draft.locator('button[value=approve]').click(),
      ])
      // The URL changes a moment before the revalidated page renders: wait for the new state itself.
      await page.getByTestId('agreement-version-cooperation-2').filter({ hasText: '现行版本' }).waitFor()
    })

    expect(await callAfterPromise()).toEqual({ status: 403, code: 'agreement_not_accepted' })

    await asUser('partner.admin', async (page) => {
      await page.goto(at('/partner/usage'))
      await expectNoSeriousAxeViolations(page)
      expect(await page.getByTestId('agreement-banner').textContent()).toContain('合作协议')
      await page.goto(at('/partner/agreements'))
      await expectNoSeriousAxeViolations(page)
      await waitForHydration(page)
      const section = page.getByTestId('agreement-cooperation')
      expect(await section.getByTestId('agreement-text').textContent()).toContain('/fees')
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('accepted') === '1'),
        section.getByTestId('accept-cooperation').locator('button[type=submit]').click(),
      ])
      expect(await page.getByTestId('agreement-banner').count()).toBe(0)
      expect(await section.getByTestId('agreement-record').textContent()).toContain('盛京智能 陈管理')

      const [shengjing] = await platform.database.db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
      const rows = await platform.database.db
        .select()
        .from(agreementAcceptances)
        .where(eq(agreementAcceptances.partnerId, shengjing!.id))
      const latest = rows.sort((a, b) => b.acceptedAt - a.acceptedAt)[0]!
      expect(latest.clientAddress).toMatch(/127\.0\.0\.1/)
      const pdf = await page.request.get(at(`/partner/agreements/${latest.id}/pdf`))
      expect(pdf.status()).toBe(200)
      expect(pdf.headers()['content-type']).toBe('application/pdf')
      expect(extractPdfText(Buffer.from(await pdf.body())).replace(/\s+/g, '')).toContain(latest.textHash)
    })

    expect(await callAfterPromise()).toEqual({ status: 200, code: null })
  })
})
