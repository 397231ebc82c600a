import { createCookie, redirect, type AppLoadContext } from '@remix-run/node'
import type { Role } from '#db/schema/identity.ts'
import { getSessionUser, type SessionUser } from '#platform/identity/get-session-user.ts'
import { ROLE_HOME } from '#platform/identity/policy.ts'
import { LANGS, type Lang } from '#app/i18n/messages.ts'

export { ROLE_HOME }

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

export async function getOptionalUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const token = await getSessionToken(request, context)
  if (!token) return null
  const found = await getSessionUser(context.platform.db, { token })
  return found.state === 'active' ? found.user : null
}

/**
 * The guard every role page calls first: no session → sign-in page (with the
 * idle-timeout notice when that is why); wrong role → 403.
 */
export async function requireUser(request: Request, context: AppLoadContext, roles: readonly Role[]): Promise<SessionUser> {
  const token = await getSessionToken(request, context)
  const url = new URL(request.url)
  const back = encodeURIComponent(url.pathname + url.search)
  if (!token) throw redirect(`/login?redirectTo=${back}`)
  const found = await getSessionUser(context.platform.db, { token })
  if (found.state === 'idle_expired') {
    throw redirect(`/login?reason=idle&redirectTo=${back}`, {
      headers: { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) },
    })
  }
  if (found.state === 'none') throw redirect(`/login?redirectTo=${back}`)
  if (!roles.includes(found.user.role)) throw new Response('Forbidden', { status: 403 })
  return found.user
}
