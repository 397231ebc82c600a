const MAX_TARGET_LENGTH = 2048
const BASE = 'http://same-origin.invalid'

/**
 * A redirect target taken from a request (`redirectTo` on sign-in and on the language switch), accepted only as a path
 * on this site; anything else becomes `fallback` (the role's home page). Browsers are lenient readers of Location:
 * `//evil.com`, `/\evil.com` and `/<TAB>/evil.com` all leave the site, and a target that is percent-decoded once more
 * somewhere (`/%2F%2Fevil.com`, `/%5Cevil.com`) can too. So the target must start with a single `/`, and neither it nor
 * any percent-decoding of it may hold a backslash, a control character or whitespace, start with `//`, or resolve to
 * another origin.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || to.length === 0 || to.length > MAX_TARGET_LENGTH) return fallback
  let current = to
  // Each decoding must pass too; three rounds cover any target a real page of ours would carry.
  for (let round = 0; round < 4; round++) {
    if (!isPlainPath(current)) return fallback
    let decoded: string
    try {
      decoded = decodeURIComponent(current)
    } catch {
      return fallback
    }
    if (decoded === current) break
    if (round === 3) return fallback
    current = decoded
  }
  return to
}

function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false
  // Backslash (read as `/` by browsers), any control character or whitespace other than a plain space.
  if (/[\\\u0000-\u001F\u007F-\u009F\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF]/.test(path)) return false
  try {
    const url = new URL(path, BASE)
    return url.origin === BASE
  } catch {
    return false
  }
}

/** True when `path` is `area` itself or a page below it (`/operator`, `/operator/…`, `/operator?…`), never `/operatorX`. */
export function isWithinArea(path: string, area: string): boolean {
  return path === area || path.startsWith(`${area}/`) || path.startsWith(`${area}?`) || path.startsWith(`${area}#`)
}
