import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Browser, Page } from 'playwright-core'
import { invoices, partners, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { seedBillingDemo } from '#seed/seed-billing-demo.ts'
import { VERIFY_ENTERPRISE_PRODUCT } from '#gateway/products/verify-enterprise.ts'
import { navEntries } from '#app/nav.ts'
import type { Role } from '#db/schema/identity.ts'
import { actorOf } from '#test/integration/catalog-fixtures.ts'
import { expectNoSeriousAxeViolations } from '#test/support/axe.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'

// The page shell on a laptop and a phone (issue 16, ADR 0034): every role's navigation on one line at 1366 px in both
// languages with every link reachable; at 390 px one menu button, no sideways scrolling of the page, an invoice's total
// in view while its lines table scrolls inside its card. axe on each page visited.

const DEMO_ROLES: [username: string, role: Role][] = [
  ['bureau', 'bureau'],
  ['operator', 'operator'],
  ['scjg', 'source_unit'],
  ['partner.admin', 'partner_admin'],
  ['partner.dev', 'partner_developer'],
]

/** The navigation's height against one of its items': one line is less than twice an item's height. */
async function navLines(page: Page): Promise<{ navHeight: number; itemHeight: number }> {
  return page.getByTestId('main-nav').evaluate((nav) => ({
    navHeight: nav.getBoundingClientRect().height,
    itemHeight: nav.querySelector(':scope > ul > li')!.getBoundingClientRect().height,
  }))
}

/** Every link of the navigation, those inside closed groups included, as paths. */
async function navPaths(page: Page): Promise<string[]> {
  return page
    .getByTestId('main-nav')
    .locator('a')
    .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
}

async function switchLanguage(page: Page, to: 'en' | 'zh') {
  await waitForHydration(page)
  await page.getByTestId('lang-switch').click()
  await page.waitForFunction((lang) => document.documentElement.lang === lang, to === 'en' ? 'en' : 'zh-CN')
}

describe('the page shell: navigation on a laptop and a phone', () => {
  let browser: Browser
  let platform: PlatformHarness

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('at 1366 px every role’s navigation fits one line, in Chinese and in English, and reaches every link', async () => {
    for (const [username, role] of DEMO_ROLES) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } })
      try {
        const page = await context.newPage()
        await signIn(page, platform.url, username)
        await expectNoSeriousAxeViolations(page)
        for (const lang of ['zh', 'en'] as const) {
          if (lang === 'en') await switchLanguage(page, 'en')
          const { navHeight, itemHeight } = await navLines(page)
          expect(itemHeight, `${username} ${lang}`).toBeGreaterThan(10)
          expect(navHeight, `${username} ${lang}: nav ${navHeight}px, item ${itemHeight}px`).toBeLessThan(itemHeight * 1.5)
          // The page itself never scrolls sideways.
          expect(await page.evaluate(() => document.documentElement.scrollWidth), `${username} ${lang}`).toBeLessThanOrEqual(1366)
          const paths = await navPaths(page)
          for (const entry of navEntries(role)) expect(paths, `${username} ${lang}`).toContain(entry.to)
        }
        // A group opens as a disclosure, its first link leads to its page, and the group closes behind it.
        const group = page.getByTestId('nav-group').first()
        if ((await group.count()) > 0) {
          const summary = group.locator('summary')
          await summary.focus()
          await page.keyboard.press('Enter')
          await expect(group.getAttribute('open')).resolves.toBe('')
          await expectNoSeriousAxeViolations(page)
          await page.keyboard.press('Escape')
          await expect(group.getAttribute('open')).resolves.toBeNull()
          await page.keyboard.press('Enter')
          const link = group.locator('a').first()
          const to = new URL((await link.getAttribute('href'))!, platform.url).pathname
          await link.click()
          await page.waitForURL((url) => url.pathname === to)
          // The route renders, then the header closes the group behind the followed link.
          await page.waitForFunction(() => !document.querySelector('details.nav-group[open]'))
          await expectNoSeriousAxeViolations(page)
        }
      } finally {
        await context.close()
      }
    }
  })

  it('at 390 px the navigation is one menu button that opens and reaches a link; the page never scrolls sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    try {
      const page = await context.newPage()
      await signIn(page, platform.url, 'bureau')
      await waitForHydration(page)
      const menuButton = page.getByTestId('menu-button')
      const nav = page.getByTestId('main-nav')
      expect(await menuButton.isVisible()).toBe(true)
      expect(await nav.isVisible()).toBe(false)
      expect(await menuButton.getAttribute('aria-expanded')).toBe('false')
      await expectNoSeriousAxeViolations(page)

      await menuButton.click()
      expect(await menuButton.getAttribute('aria-expanded')).toBe('true')
      await nav.waitFor({ state: 'visible' })
      const logs = nav.getByTestId('nav-group').filter({ hasText: '日志' })
      await logs.locator('summary').click()
      await expectNoSeriousAxeViolations(page)
      await nav.getByRole('link', { name: '日志留存', exact: true }).click()
      await page.waitForURL((url) => url.pathname === '/bureau/retention')
      // Followed: the menu folds again.
      await page.waitForFunction(() => !document.getElementById('site-menu')?.checkVisibility())
      expect(await menuButton.getAttribute('aria-expanded')).toBe('false')
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await expectNoSeriousAxeViolations(page)

      // Escape closes the menu and gives the focus back to its button.
      await menuButton.click()
      await nav.waitFor({ state: 'visible' })
      await page.keyboard.press('Escape')
      await nav.waitFor({ state: 'hidden' })
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('menu-button')
    } finally {
      await context.close()
    }
  })

  it('at 390 px an invoice shows its total in view and its lines table scrolls inside its card', async () => {
    const db = platform.database.db
    await seedBillingDemo(db)
    const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, VERIFY_ENTERPRISE_PRODUCT))
    const [sub] = await db
      .select({ id: subscriptions.id, partnerId: subscriptions.partnerId, purpose: subscriptions.purpose })
      .from(subscriptions)
      .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
      .where(and(eq(partners.code, 'shengjing-tech'), eq(subscriptions.productId, product!.id)))
    const last = previousPeriod(periodOf(Date.now()))
    await db.insert(usageEvents).values(
      Array.from({ length: 3 }, (_, i) => ({
        id: randomUUID(),
        at: last.start + 3_600_000 * (i + 1),
        requestId: `req_shell_${i}`,
        apiKeyId: 'e2e',
        subscriptionId: sub!.id,
        partnerId: sub!.partnerId,
        productId: product!.id,
        purpose: sub!.purpose,
        operation: 'verifyEnterprise',
        status: 200,
      })),
    )
    const closed = await closeBillingPeriod(db, { period: last.period, actor: await actorOf(db, 'operator'), now: Date.now() })
    expect(closed.ok).toBe(true)
    const [invoice] = await db
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.partnerId, sub!.partnerId), eq(invoices.period, last.period)))

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    try {
      const page = await context.newPage()
      await signIn(page, platform.url, 'operator')
      await page.goto(new URL(`/operator/invoices/${invoice!.id}`, platform.url).href)
      await page.getByTestId('invoice-title').waitFor()
      await waitForHydration(page)
      // The table that scrolls is in the tab order, so a keyboard scrolls it too.
      await page.locator('[data-testid=invoice-lines][tabindex="0"]').waitFor()
      await expectNoSeriousAxeViolations(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      const total = await page.getByTestId('invoice-total').boundingBox()
      expect(total).not.toBeNull()
      expect(total!.x).toBeGreaterThanOrEqual(0)
      expect(total!.x + total!.width).toBeLessThanOrEqual(390)
      expect(await page.getByTestId('invoice-total').textContent()).toMatch(/¥/)
      // The lines table is wider than the phone: it scrolls by itself, and scrolled, its amounts come into view.
      const table = page.getByTestId('invoice-lines')
      const { scrollWidth, clientWidth } = await table.evaluate((t) => ({
        scrollWidth: t.scrollWidth,
        clientWidth: t.clientWidth,
      }))
      expect(scrollWidth).toBeGreaterThan(clientWidth)
      expect(clientWidth).toBeLessThanOrEqual(390)
      await table.evaluate((t) => t.scrollTo({ left: t.scrollWidth }))
      const amount = await page.getByTestId('line-amount').first().boundingBox()
      expect(amount!.x + amount!.width).toBeLessThanOrEqual(390)
    } finally {
      await context.close()
    }
  })
})
