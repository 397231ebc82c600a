import type { RequestHandler } from 'express'
import { CSRF_COOKIE, isBrowserId, newBrowserId, readCookie } from '#platform/csrf/csrf-token.ts'

/**
 * Every browser gets a random id (`sdp_csrf`) on its first request to a page: the binding of its CSRF token until it
 * signs in (ADR 0017), so the sign-in form and the language switch carry a token another site cannot know. The id is
 * also added to this request's Cookie header, so the page rendered now carries the token the browser will post back.
 * Mounted after the static files: fonts and scripts get no cookie.
 */
export function createCsrfCookie(options: { secure: boolean }): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.cookie
    if (!isBrowserId(readCookie(header, CSRF_COOKIE))) {
      const id = newBrowserId()
      // No Max-Age: a browser session's id, like the session cookie (the token is worthless without it).
      res.append('set-cookie', `${CSRF_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`)
      req.headers.cookie = header ? `${CSRF_COOKIE}=${id}; ${header}` : `${CSRF_COOKIE}=${id}`
    }
    next()
  }
}
