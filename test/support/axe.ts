import { appendFileSync } from 'node:fs'
import { AxeBuilder } from '@axe-core/playwright'
import type { Page } from 'playwright-core'

/**
 * Runs axe-core (injected by @axe-core/playwright, no download) on the page as it is now and fails on any serious or
 * critical violation, naming each rule, its help and the first offending elements. Every rule axe has runs (WCAG 2.x
 * A/AA and best practices); moderate and minor findings are not failures. Call it after each navigation of a browser
 * test, once the page shows what the test waits for.
 */
export async function expectNoSeriousAxeViolations(page: Page, options: { exclude?: string[] } = {}): Promise<void> {
  // Checked as a person meets it: hydrated (the layout's hooks have run) and painted.
  await page.waitForFunction(() => Boolean((window as unknown as { __remixRouter?: unknown }).__remixRouter))
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  // Legacy mode runs axe in each frame of this page: no extra page is opened, so a page of `browser.newPage()` works too.
  let builder = new AxeBuilder({ page }).setLegacyMode(true)
  for (const selector of options.exclude ?? []) builder = builder.exclude(selector)
  const results = await builder.analyze()
  const path = new URL(page.url()).pathname
  // AXE_CHECKED_LOG=<file>: one line per check (viewport width and path), to list which pages a run checked.
  if (process.env.AXE_CHECKED_LOG) appendFileSync(process.env.AXE_CHECKED_LOG, `${page.viewportSize()?.width ?? '?'} ${path}\n`)
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  // axe leaves text of the same colour as its background "incomplete" (it might be hidden on purpose); on these pages
  // it never is: a primary button once rendered white on white under a more specific rule. It counts as a violation.
  const invisible = results.incomplete
    .filter((v) => v.id === 'color-contrast')
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => n.any.some((a) => / 1:1 contrast ratio/.test(a.message))) }))
    .filter((v) => v.nodes.length > 0)
    .map((v) => ({ ...v, impact: 'serious' as const, help: 'Text is the colour of its background (1:1 contrast)' }))
  serious.push(...invisible)
  if (serious.length === 0) return
  const lines = serious.map(
    (v) =>
      `- [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s))\n` +
      v.nodes
        .slice(0, 3)
        .map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join('; ') ?? ''}`)
        .join('\n'),
  )
  throw new Error(`axe: ${serious.length} serious/critical violation(s) on ${path}:\n${lines.join('\n')}`)
}
