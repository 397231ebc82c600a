import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { auditLog, cityEnterprises } from '#db/schema/index.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

// The emergency stop in the browser (Art. 13; ADR 0029): the operator stops one product with a reason, the API answers
// 503 emergency_stop while the other products answer, the banner shows on the operator's pages, and one click resumes.

const VERIFY = '/api/v1/verifications/enterprise'
const USCC = '/api/v1/tools/uscc-validate'
const PRODUCT = 'verify-enterprise-identity'
const shots = join(process.cwd(), 'test', '.tmp')

describe('the operator stops one product in an emergency and resumes it', () => {
  let browser: Browser
  let platform: PlatformHarness
  let context: BrowserContext
  let page: Page
  let verifyBody: string

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    const [row] = await platform.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    verifyBody = JSON.stringify(row)
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    await signIn(page, platform.url, 'operator')
    await expectNoSeriousAxeViolations(page)
    mkdirSync(shots, { recursive: true })
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  /** The API's answer to a call sent once the 1 s promise has run out since the change (made before now). */
  async function callAfterPromise(path: string) {
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    const res = await fetch(at(path), {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: path === VERIFY ? verifyBody : JSON.stringify({ uscc: '91210100MA0Y6X4T1K' }),
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  it('stops one product with a reason: 503 emergency_stop, the other product still answers, the banner shows', async () => {
    expect(await callAfterPromise(VERIFY)).toEqual({ status: 200, code: null })
    await page.goto(at('/operator/emergency'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    expect(await page.getByTestId('no-stop').count()).toBe(1)
    const form = page.getByTestId('stop-form')
    await form.getByTestId(`stop-product-${PRODUCT}`).check()
    await form.getByTestId('stop-reason').fill('疑似密钥泄露，先行停止企业核验')
    await Promise.all([page.waitForURL((u) => u.searchParams.get('done') === 'stop'), form.getByTestId('stop-submit').click()])
    await page.getByTestId(`stop-${PRODUCT}`).waitFor()
    expect(await page.getByTestId('emergency-banner').textContent()).toContain(PRODUCT)
    await page.screenshot({ path: join(shots, 'operator-emergency.png'), fullPage: true })

    expect(await callAfterPromise(VERIFY)).toEqual({ status: 503, code: 'emergency_stop' })
    expect(await callAfterPromise(USCC)).toEqual({ status: 200, code: null })
    const [entry] = await platform.database.db.select().from(auditLog).where(eq(auditLog.action, 'emergency.stop'))
    expect(JSON.parse(entry!.detail!)).toMatchObject({ productCodes: [PRODUCT], reason: '疑似密钥泄露，先行停止企业核验' })
    expect(entry!.role).toBe('operator')

    // The banner is on the operator's other pages too.
    await page.goto(at('/operator/usage'))
    await expectNoSeriousAxeViolations(page)
    expect(await page.getByTestId('emergency-banner').count()).toBe(1)
  })

  it('resumes in one action: the product answers again, the banner is gone', async () => {
    await page.goto(at('/operator/emergency'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('done') === 'resume'),
      page.getByTestId(`resume-${PRODUCT}`).click(),
    ])
    await page.getByTestId('no-stop').waitFor()
    expect(await page.getByTestId('emergency-banner').count()).toBe(0)
    expect(await callAfterPromise(VERIFY)).toEqual({ status: 200, code: null })
  })
})
