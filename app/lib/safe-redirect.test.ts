import { describe, expect, it } from 'vitest'
import { isWithinArea, safeRedirect } from './safe-redirect.ts'

const HOME = '/operator'

describe('safeRedirect', () => {
  it.each([
    '/',
    '/operator',
    '/operator/invoices?closing=2026-10',
    '/catalog?q=%E6%B2%88%E9%98%B3',
    '/catalog?q=a+b&domain=market',
    '/catalog/ent-basic-info#fields',
    '/operator/datasets/ds%20one',
  ])('keeps a path of ours: %s', (target) => {
    expect(safeRedirect(target, HOME)).toBe(target)
  })

  // Every way a browser (or a second decoding somewhere) reads a target as another site or a non-path.
  it.each([
    ['protocol-relative', '//evil.com'],
    ['protocol-relative with path', '//evil.com/operator'],
    ['backslash authority', '/\\evil.com'],
    ['backslashes', '\\\\evil.com'],
    ['backslash inside', '/operator\\..\\\\evil.com'],
    ['absolute URL', 'https://evil.com/'],
    ['scheme-less host', 'evil.com'],
    ['javascript URL', 'javascript:alert(1)'],
    ['data URL', 'data:text/html,<script>alert(1)</script>'],
    ['mixed-case scheme', 'JaVaScRiPt:alert(1)'],
    ['tab before slashes', '/\t/evil.com'],
    ['newline before slashes', '/\n/evil.com'],
    ['CR', '/\r/evil.com'],
    ['NUL', '/operator\u0000'],
    ['DEL', '/operator\u007F'],
    ['C1 control', '/operator\u0085'],
    ['encoded slashes', '/%2F%2Fevil.com'],
    ['encoded slash after slash', '/%2Fevil.com'],
    ['encoded backslash', '/%5Cevil.com'],
    ['encoded backslash, upper and lower hex', '/%5cevil.com'],
    ['encoded tab', '/%09/evil.com'],
    ['encoded newline', '/%0A/evil.com'],
    ['encoded NUL', '/operator%00'],
    ['double-encoded slashes', '/%252F%252Fevil.com'],
    ['double-encoded backslash', '/%255Cevil.com'],
    ['triple-encoded slashes', '/%25252F%25252Fevil.com'],
    ['malformed escape', '/operator%E0%A4%A'],
    ['lone percent', '/operator%'],
    ['lone surrogate escape', '/%ED%A0%80'],
    ['non-breaking space', '/\u00A0/evil.com'],
    ['line separator', '/\u2028/evil.com'],
    ['right-to-left override', '/operator\u202Eexe'],
    ['zero-width space', '/\u200B/evil.com'],
    ['ideographic space', '/\u3000/evil.com'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(3000)}`],
  ])('falls back on %s', (_name, target) => {
    expect(safeRedirect(target, HOME)).toBe(HOME)
  })

  it('falls back on anything that is not a string', () => {
    expect(safeRedirect(null, HOME)).toBe(HOME)
    expect(safeRedirect(undefined, HOME)).toBe(HOME)
    expect(safeRedirect(new File(['x'], '/operator'), HOME)).toBe(HOME)
  })
})

describe('isWithinArea', () => {
  it('accepts the area and pages below it, never a sibling that shares the prefix', () => {
    expect(isWithinArea('/operator', HOME)).toBe(true)
    expect(isWithinArea('/operator/invoices', HOME)).toBe(true)
    expect(isWithinArea('/operator?x=1', HOME)).toBe(true)
    expect(isWithinArea('/operatorevil', HOME)).toBe(false)
    expect(isWithinArea('/bureau', HOME)).toBe(false)
  })
})
