import type { AppLoadContext } from '@remix-run/node'
import { getSessionToken } from '#app/session.server.ts'
import { CSRF_COOKIE, csrfTokenFor, isBrowserId, isValidCsrfToken, readCookie } from '#platform/csrf/csrf-token.ts'

export { CSRF_FIELD, CSRF_HEADER } from '#platform/csrf/csrf-token.ts'

/** What the refusal says, so the error boundary can tell a stale or foreign form from a missing permission. */
export const CSRF_REFUSAL = 'csrf_token_invalid'

/**
 * The token binds to the session once signed in (a new session, a new token), else to the browser id the server
 * set (server/csrf-cookie.ts). Null when the request holds neither: such a request can post nothing.
 */
async function bindingOf(request: Request, context: AppLoadContext): Promise<string | null> {
  const session = await getSessionToken(request, context)
  if (session) return `session:${session}`
  const browser = readCookie(request.headers.get('cookie'), CSRF_COOKIE)
  return isBrowserId(browser) ? `browser:${browser}` : null
}

/** The token this request's pages put in their forms (the root loader hands it to every form). */
export async function getCsrfToken(request: Request, context: AppLoadContext): Promise<string | null> {
  const binding = await bindingOf(request, context)
  return binding === null ? null : csrfTokenFor(context.platform.env.SESSION_SECRET, binding)
}

/**
 * Throws a 403 Response unless `submitted` is this request's token (ADR 0017). Called by readForm for every form, and
 * by actions that read no form (the dataset upload: the token comes in the X-CSRF-Token header).
 */
export async function requireCsrfToken(request: Request, context: AppLoadContext, submitted: unknown): Promise<void> {
  const binding = await bindingOf(request, context)
  if (!isValidCsrfToken(context.platform.env.SESSION_SECRET, binding, submitted)) {
    throw new Response(CSRF_REFUSAL, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  }
}
