import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiKeys, cityEnterprises, partners } from '#db/schema/index.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { isWellFormedApiKey } from '#platform/api-keys/api-key-format.ts'
import { cliActor } from '#platform/audit/record-audit.ts'
import { launchBrowser, routePath, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { PROPAGATION_PROMISE_MS, waitUntilElapsed } from '#test/support/wait.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'

const PATH = '/api/v1/verifications/enterprise'
const shots = join(process.cwd(), 'test', '.tmp')

describe('developer portal: keys shown once, roll, revoke, quick start, API docs', () => {
  let browser: Browser
  let platform: PlatformHarness
  let context: BrowserContext
  let page: Page
  let body: string

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
    const [row] = await platform.database.db
      .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
      .from(cityEnterprises)
      .where(eq(cityEnterprises.status, 'active'))
      .limit(1)
    body = JSON.stringify(row)
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: platform.url })
    page = await context.newPage()
    await signIn(page, platform.url, 'partner.dev')
    await expectNoSeriousAxeViolations(page)
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await platform?.stop()
  })

  const at = (path: string) => new URL(path, platform.url).href

  async function callApi(key: string) {
    const res = await fetch(at(PATH), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    })
    const json = (await res.json()) as { error?: { code: string } }
    return { status: res.status, code: json.error?.code ?? null }
  }

  /**
   * The key's answer to a call sent once the gateway's 1 s promise has run out since the change (made before now):
   * it must show the change. A loaded machine only makes the call later, never the check wrong.
   */
  async function answerAfterPromise(key: string) {
    await waitUntilElapsed(performance.now(), PROPAGATION_PROMISE_MS)
    return callApi(key)
  }

  /** Submits a form on the page and waits for the action's answer. */
  async function submit(click: () => Promise<void>) {
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === '/developer/keys'),
      click(),
    ])
    await page.waitForLoadState('networkidle')
  }

  let createdKey = ''
  let createdPrefix = ''

  it('refuses an invalid CIDR next to the field, then creates a key and shows it once', async () => {
    await page.goto(at('/developer/keys'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const form = page.getByTestId('create-key-form')
    await form.locator('input[name=name]').fill('e2e 测试密钥')
    await form.locator('textarea[name=ipAllowlist]').fill('10.0.0.0/33')
    await submit(() => form.locator('button[type=submit]').click())
    expect(await page.getByTestId('allowlist-error').textContent()).toContain('10.0.0.0/33')
    expect(await page.getByTestId('new-key').count()).toBe(0)

    await form.locator('textarea[name=ipAllowlist]').fill('127.0.0.1/32, ::1')
    await submit(() => form.locator('button[type=submit]').click())
    createdKey = (await page.getByTestId('new-key').textContent())!.trim()
    expect(isWellFormedApiKey(createdKey)).toBe(true)
    createdPrefix = createdKey.slice(0, 12)
    mkdirSync(shots, { recursive: true })
    await page.screenshot({ path: join(shots, 'developer-keys.png'), fullPage: true })
    expect(await page.getByTestId(`key-row-${createdPrefix}`).locator('[data-testid=key-state]').textContent()).toBe('有效')
    // The one-time key has a copy button (issue 16): it copies the key and says so.
    await page.getByTestId('copy-new-key').click()
    await expect.poll(() => page.getByTestId('copy-new-key').textContent()).toContain('已复制')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(createdKey)

    // Only its hash is stored, with the allowlist normalised.
    const [row] = await platform.database.db.select().from(apiKeys).where(eq(apiKeys.displayPrefix, createdPrefix))
    expect(row).toMatchObject({ ipAllowlist: '127.0.0.1/32,::1/128', name: 'e2e 测试密钥' })
    expect(JSON.stringify(row)).not.toContain(createdKey)

    // Shown once: a fresh load lists the prefix, never the key.
    await page.goto(at('/developer/keys'))
    await expectNoSeriousAxeViolations(page)
    expect(await page.getByTestId('new-key').count()).toBe(0)
    expect(await page.content()).not.toContain(createdKey)
    expect(await callApi(createdKey)).toEqual({ status: 200, code: null })
  })

  it('shows a quick start with curl lines using the developer’s own key prefix', async () => {
    await page.goto(at('/developer'))
    await expectNoSeriousAxeViolations(page)
    const snippet = await page.getByTestId('quick-start-verify-enterprise-identity').locator('pre').textContent()
    expect(snippet).toContain(`Bearer ${createdPrefix}…`)
    expect(snippet).toContain(`curl -s -X POST '${platform.url}${PATH}'`)
    expect(snippet).not.toContain(createdKey)
  })

  it('rolls the key with no grace: the new key is shown once and works, the old one answers key_expired', async () => {
    await page.goto(at('/developer/keys'))
    await expectNoSeriousAxeViolations(page)
    await waitForHydration(page)
    const row = page.getByTestId(`key-row-${createdPrefix}`)
    await row.locator('select[name=graceHours]').selectOption('0')
    page.once('dialog', (dialog) => void dialog.accept())
    await submit(() => row.getByTestId('roll').click())
    const rolledKey = (await page.getByTestId('new-key').textContent())!.trim()
    expect(isWellFormedApiKey(rolledKey)).toBe(true)
    expect(rolledKey).not.toBe(createdKey)
    expect((await answerAfterPromise(createdKey)).code).toBe('key_expired')
    expect(await callApi(rolledKey)).toEqual({ status: 200, code: null })
    // The old key reads "rolled", not "expired" (issue 16).
    await expect(row.getByTestId('key-state').textContent()).resolves.toBe('已轮换（已由新密钥替代）')

    // Revoke the new key (after confirming the dialog): key_revoked within 1 s.
    const rolledPrefix = rolledKey.slice(0, 12)
    page.once('dialog', (dialog) => void dialog.accept())
    const newRow = page.getByTestId(`key-row-${rolledPrefix}`)
    await newRow.locator('input[name=reason]').fill('测试吊销')
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('revoked') === rolledPrefix),
      newRow.getByTestId('revoke').click(),
    ])
    expect(await page.getByTestId('key-revoked').textContent()).toContain(rolledPrefix)
    expect(await page.getByTestId(`key-row-${rolledPrefix}`).locator('[data-testid=key-state]').textContent()).toBe('已吊销')
    expect((await answerAfterPromise(rolledKey)).code).toBe('key_revoked')
  })

  it('cannot revoke another partner’s key (least privilege): not found, and the key keeps its state', async () => {
    const [huimin] = await platform.database.db
      .select({ id: partners.id })
      .from(partners)
      .where(eq(partners.code, 'huimin-service'))
    const other = await createApiKey(platform.database.db, {
      partnerId: huimin!.id,
      name: 'other partner',
      actor: cliActor(),
    })
    if (!other.ok) throw new Error(other.error.message)
    // The developer's own page and its CSRF token (ADR 0017): only the ownership rule may refuse this.
    await page.goto(at('/developer/keys'))
    await expectNoSeriousAxeViolations(page)
    const token = await page.locator('input[name=_csrf]').first().inputValue()
    const res = await page.request.post(at('/developer/keys'), {
      form: { intent: 'revoke', keyId: other.value.id, _csrf: token },
    })
    // Not found, by the one kind → status mapping (platform/result.ts), as another partner's invoice is.
    expect(res.status()).toBe(404)
    const [row] = await platform.database.db
      .select({ revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.id, other.value.id))
    expect(row!.revokedAt).toBeNull()
    await page.goto(at('/developer/keys'))
    await expectNoSeriousAxeViolations(page)
    expect(await page.content()).not.toContain(other.value.displayPrefix)
  })

  it('serves interactive API docs from the local spec, with no request leaving the platform', async () => {
    const hosts = new Set<string>()
    page.on('request', (request) => hosts.add(new URL(request.url()).host))
    await page.goto(at('/developer/docs'))
    await page.locator('#swagger-ui .opblock').first().waitFor({ timeout: 30_000 })
    // Swagger UI's own markup is third-party (ADR 0041); the page around it is checked.
    await expectNoSeriousAxeViolations(page, { exclude: ['#swagger-ui'] })
    expect(await page.getByTestId('swagger-ui').getAttribute('data-state')).toBe('ready')
    expect(await page.locator('#swagger-ui').textContent()).toContain('/api/v1/verifications/enterprise')
    expect([...hosts]).toEqual([new URL(platform.url).host])
    await page.screenshot({ path: join(shots, 'developer-docs.png') })
  })
})
