import type { Page } from 'playwright-core'

/**
 * Follows a link of the header's navigation by its name, as a person would: when the link sits in a closed group
 * (a disclosure menu, ADR 0041), opens the group first.
 */
export async function followNavLink(page: Page, name: string | RegExp): Promise<void> {
  const nav = page.getByTestId('main-nav')
  const link = nav.getByRole('link', { name, exact: typeof name === 'string' })
  if (!(await link.isVisible())) {
    // A link in a closed group is hidden, and role queries skip hidden elements unless told.
    const inner = page.getByRole('link', { name, exact: typeof name === 'string', includeHidden: true })
    await nav.locator('details.nav-group', { has: inner }).locator('summary').click()
    await link.waitFor({ state: 'visible' })
  }
  await link.click()
}
