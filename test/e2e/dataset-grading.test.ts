import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Browser } from 'playwright-core'
import { datasets, products } from '#db/schema/index.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { followNavLink } from '#test/support/nav.ts'

// Art. 5 in the browser (ADR 0037): market regulation re-grades its registry to L3 with its usage requirements (the
// floor refused beside the field first); the operator sees the credit profile suspended, and why.
describe('grading by the source unit in the browser', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('the source unit re-grades its registry; the operator sees the affected product suspended', async () => {
    const unit = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await unit.newPage()
    await signIn(page, platform.url, 'scjg')
    await followNavLink(page, '数据定级')
    await page.waitForURL(/\/source-unit\/datasets$/)
    await expectNoSeriousAxeViolations(page)
    const row = page.locator('[data-testid="grading-row"][data-code="DS-SCJG-0001"]')
    await expect(row.getAttribute('data-state')).resolves.toBe('proposed')
    await row.getByRole('link', { name: '定级' }).click()
    await page.waitForURL(/\/source-unit\/datasets\/DS-SCJG-0001$/)
    await waitForHydration(page)
    await expectNoSeriousAxeViolations(page)

    const form = page.getByTestId('grading-form')
    page.on('dialog', (dialog) => void dialog.accept())
    // The floor: L1 is refused beside the level, and nothing changes.
    await form.getByLabel('级别').selectOption('L1')
    await form.getByLabel('使用要求').fill('仅限企业信用评价；明细不得向第三方提供。')
    await form.getByRole('button', { name: '确认定级' }).click()
    await expect(page.getByTestId('level-error').textContent()).resolves.toContain('不得低于 L2')
    // Usage requirements are required, next to their field.
    await form.getByLabel('级别').selectOption('L3')
    await form.getByLabel('使用要求').fill('')
    await form.getByRole('button', { name: '确认定级' }).click()
    await expect(page.getByTestId('requirements-error').textContent()).resolves.toContain('请填写')
    const level = async () =>
      (await platform.database.db.select({ level: datasets.level }).from(datasets).where(eq(datasets.code, 'DS-SCJG-0001')))[0]!
        .level
    expect(await level()).toBe('L2')

    await form.getByLabel('使用要求').fill('仅限企业信用评价；明细不得出域。')
    await form.getByRole('button', { name: '确认定级' }).click()
    await page.getByTestId('decided').waitFor()
    expect(await page.getByTestId('decided').textContent()).toContain('enterprise-credit-profile')
    await expect(page.getByTestId('grading-state').getAttribute('data-state')).resolves.toBe('confirmed')
    expect(await level()).toBe('L3')
    await unit.close()

    const operator = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const opPage = await operator.newPage()
    await signIn(opPage, platform.url, 'operator')
    await opPage.goto(new URL('/operator/datasets/DS-SCJG-0001', platform.url).href)
    await expectNoSeriousAxeViolations(opPage)
    await expect(opPage.getByTestId('grading-state').getAttribute('data-state')).resolves.toBe('confirmed')
    expect(await opPage.getByTestId('usage-requirements').textContent()).toContain('明细不得出域')
    const product = opPage.locator('[data-testid="grading-product"][data-code="enterprise-credit-profile"]')
    await expect(product.getAttribute('data-suspended')).resolves.toBe('yes')
    const reason = await product.getByTestId('suspension-reason').textContent()
    expect(reason).toContain('DS-SCJG-0001')
    expect(reason).toContain('L3')
    const verdicts = opPage.locator('[data-testid="grading-product"][data-code="verify-enterprise-identity"]')
    await expect(verdicts.getAttribute('data-suspended')).resolves.toBe('no')
    const [profile] = await platform.database.db
      .select({ suspendedAt: products.suspendedAt })
      .from(products)
      .where(eq(products.code, 'enterprise-credit-profile'))
    expect(profile!.suspendedAt).not.toBeNull()
    await operator.close()
  })
})
