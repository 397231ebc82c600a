import { createCookie, redirect, type AppLoadContext } from '@remix-run/node'
import type { Role } from '#db/schema/identity.ts'
import { getSessionUser, type SessionRestriction, type SessionUser } from '#platform/identity/get-session-user.ts'
import {
  ACCOUNT_PASSWORD_PATH,
  ACCOUNT_TWO_FACTOR_PATH,
  authPolicyOf,
  ROLE_HOME,
  SECOND_FACTOR_PATH,
  STEP_UP_PATH,
} from '#platform/identity/policy.ts'
import { isStepUpFresh } from '#platform/identity/step-up.ts'
import { userActor } from '#platform/identity/permissions.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { LANGS, type Lang } from '#app/i18n/messages.ts'
import { isWithinArea, safeRedirect } from '#app/lib/safe-redirect.ts'

export { ROLE_HOME }
export type { SessionUser }

const cookies = new Map<string, ReturnType<typeof createCookie>>()

/** httpOnly, SameSite=Lax, signed; Secure everywhere but development. No maxAge: idle timeout is server-side. */
export function sessionCookie(context: AppLoadContext) {
  const { env } = context.platform
  const key = `${env.SESSION_SECRET}:${env.NODE_ENV}`
  let cookie = cookies.get(key)
  if (!cookie) {
    cookie = createCookie('sdp_session', {
      httpOnly: true,
      sameSite: 'lax',
      secure: env.NODE_ENV !== 'development',
      path: '/',
      secrets: [env.SESSION_SECRET],
    })
    cookies.set(key, cookie)
  }
  return cookie
}

export const langCookie = createCookie('sdp_lang', { path: '/', sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })

export async function getLang(request: Request): Promise<Lang> {
  const value = await langCookie.parse(request.headers.get('cookie'))
  return LANGS.includes(value) ? (value as Lang) : 'zh'
}

export async function getSessionToken(request: Request, context: AppLoadContext): Promise<string | null> {
  const token = await sessionCookie(context).parse(request.headers.get('cookie'))
  return typeof token === 'string' && token.length > 20 ? token : null
}

/** The session's user, signed in and past the second factor (possibly with a restriction: see requireUser); or null. */
export async function getOptionalUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const token = await getSessionToken(request, context)
  if (!token) return null
  const found = await getSessionUser(context.platform.db, { token, policy: authPolicyOf(context.platform.env) })
  return found.state === 'active' ? found.user : null
}

/** The user of a session waiting for its second factor (the password was right), or null. */
export async function getPendingSecondFactorUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const token = await getSessionToken(request, context)
  if (!token) return null
  const found = await getSessionUser(context.platform.db, { token, policy: authPolicyOf(context.platform.env) })
  return found.state === 'second_factor' ? found.user : null
}

/** The one page a restricted session may open (besides signing out and switching the language). */
export const RESTRICTION_PAGE: Record<SessionRestriction, string> = {
  initial_password: ACCOUNT_PASSWORD_PATH,
  password_expired: ACCOUNT_PASSWORD_PATH,
  enrol_two_factor: ACCOUNT_TWO_FACTOR_PATH,
}

/**
 * The guard every signed-in page calls first: no session → sign-in page (with the idle-timeout notice when that is
 * why); a session still waiting for its second factor → that step; a password to change or a second factor to enrol
 * first → that page, and nothing else; wrong role → 403.
 */
export async function requireUser(request: Request, context: AppLoadContext, roles: readonly Role[]): Promise<SessionUser> {
  const token = await getSessionToken(request, context)
  const url = new URL(request.url)
  const back = encodeURIComponent(url.pathname + url.search)
  if (!token) throw redirect(`/login?redirectTo=${back}`)
  const found = await getSessionUser(context.platform.db, { token, policy: authPolicyOf(context.platform.env) })
  if (found.state === 'idle_expired') {
    throw redirect(`/login?reason=idle&redirectTo=${back}`, {
      headers: { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) },
    })
  }
  if (found.state === 'access_expired') {
    throw redirect('/login?reason=expired', {
      headers: { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) },
    })
  }
  if (found.state === 'second_factor') throw redirect(`${SECOND_FACTOR_PATH}?redirectTo=${back}`)
  if (found.state === 'none') throw redirect(`/login?redirectTo=${back}`)
  const restricted = found.user.restriction ? RESTRICTION_PAGE[found.user.restriction] : null
  if (restricted && url.pathname !== restricted) throw redirect(restricted)
  if (!roles.includes(found.user.role)) throw new Response('Forbidden', { status: 403 })
  return found.user
}

/** The signed-in user with one of `roles`, and the actor every domain operation they call is checked against. */
export async function requireActor(
  request: Request,
  context: AppLoadContext,
  roles: readonly Role[],
): Promise<{ user: SessionUser; actor: Actor }> {
  const user = await requireUser(request, context, roles)
  return { user, actor: userActor(user) }
}

/**
 * Step-up before the most consequential actions (approving a price or a ceiling, terminating an authorization,
 * suspending a partner or a product, creating an API key): a user with a second factor must have checked it within
 * the last 5 minutes, else the action does nothing and sends them to the step-up page, which brings them back to the
 * action's page. Users without one are not stopped (only possible where 2FA is not required: demo mode, or roles for
 * which it is optional).
 */
export function requireStepUp(request: Request, user: SessionUser, now: number = Date.now()): void {
  if (isStepUpFresh(user, now)) return
  const url = new URL(request.url)
  url.searchParams.delete('index')
  throw redirect(`${STEP_UP_PATH}?redirectTo=${encodeURIComponent(url.pathname + url.search)}`)
}

/** Where a user goes after signing in or a step-up: the requested page if it is theirs to see (their role's area or
 * their account pages), else their home. */
export function landingPath(role: Role, redirectTo: string | null | undefined): string {
  const home = ROLE_HOME[role]
  const wanted = safeRedirect(redirectTo, home)
  return isWithinArea(wanted, home) || isWithinArea(wanted, '/account') ? wanted : home
}
