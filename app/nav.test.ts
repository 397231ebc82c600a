import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ROLE_NAV, navEntries } from './nav.ts'
import { translate } from './i18n/messages.ts'

const ROUTES = new URL('./routes/', import.meta.url)

/**
 * The flat-routes file that serves a path without params: `/bureau/demands` → bureau.demands(.tsx|._index.tsx), also
 * when a segment opts out of its parent's layout (`developer.sandbox_.models.tsx` serves /developer/sandbox/models).
 */
const ROUTE_PATHS = new Set(
  readdirSync(ROUTES).map((file) =>
    file
      .replace(/(\/route)?\.tsx$/, '')
      .replace(/\._index$/, '')
      .split('.')
      .map((segment) => segment.replace(/_$/, ''))
      .join('/'),
  ),
)
function hasRoute(path: string): boolean {
  return ROUTE_PATHS.has(path.replace(/^\//, ''))
}

describe('the navigation (ADR 0041)', () => {
  for (const [role, groups] of Object.entries(ROLE_NAV) as [keyof typeof ROLE_NAV, (typeof ROLE_NAV)[keyof typeof ROLE_NAV]][]) {
    it(`${role}: every link has a page, no link twice, at most 6 top-level items, every label in both languages`, () => {
      const entries = navEntries(role)
      for (const entry of entries) expect(hasRoute(entry.to), entry.to).toBe(true)
      expect(new Set(entries.map((e) => e.to)).size).toBe(entries.length)
      // Catalog, fees and home come before them: more than 6 groups and the English row no longer fits 1366 px.
      expect(groups.length).toBeLessThanOrEqual(6)
      for (const group of groups) {
        expect(group.items.length, group.label).toBeGreaterThan(0)
        for (const key of [group.label, ...group.items.map((i) => i.label)]) {
          for (const lang of ['zh', 'en'] as const) expect(translate(lang, key), `${lang} ${key}`).not.toBe(key)
        }
      }
    })
  }

  it('finds a missing page (the check can fail)', () => {
    expect(hasRoute('/bureau/demands')).toBe(true)
    expect(hasRoute('/bureau/no-such-page')).toBe(false)
  })
})
