import { demoPassword } from './demo-credentials.ts'

/**
 * A signed-in (or anonymous) UI client over plain fetch, as a browser of ours would be: the cookies the server set and
 * the CSRF token its pages carry (ADR 0017), so a test can post forms without a browser.
 */
export interface UiSession {
  /** The Cookie header to send: the browser id, plus the session once signed in. */
  cookie: string
  /** The CSRF token the pages of this session carry in their forms. */
  csrfToken: string
}

const TOKEN_IN_PAGE = /name="_csrf" value="([A-Za-z0-9_-]{43})"/

/** The CSRF token in a page's forms (every page has one: the language switch), or null. */
export function csrfTokenIn(html: string): string | null {
  return TOKEN_IN_PAGE.exec(html)?.[1] ?? null
}

function mergeCookies(cookie: string, response: Response): string {
  const jar = new Map<string, string>()
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name) jar.set(name, value.join('='))
  }
  for (const set of response.headers.getSetCookie()) {
    const [pair] = set.split(';')
    const [name, ...value] = pair!.split('=')
    if (value.join('=') === '' || /max-age=0/i.test(set)) jar.delete(name!)
    else jar.set(name!, value.join('='))
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
}

/** GETs `path` with the session's cookies and takes the token its page carries (the session's, after a sign-in). */
export async function refreshCsrfToken(baseUrl: string, session: UiSession, path = '/'): Promise<UiSession> {
  const res = await fetch(new URL(path, baseUrl), { headers: { cookie: session.cookie }, redirect: 'manual' })
  const cookie = mergeCookies(session.cookie, res)
  const token = csrfTokenIn(await res.text())
  if (!token) throw new Error(`no CSRF token on ${path} (status ${res.status})`)
  return { cookie, csrfToken: token }
}

/** A browser's first visit: the browser id cookie and the sign-in page's token. */
export async function openUiSession(baseUrl: string): Promise<UiSession> {
  return refreshCsrfToken(baseUrl, { cookie: '', csrfToken: '' }, '/login')
}

/**
 * Signs in through the sign-in form (302 expected) and returns the session with its own token: the token changes at
 * sign-in, as it is bound to the session. `from`: the anonymous session (browser) to sign in from.
 */
export async function signInUi(
  baseUrl: string,
  username: string,
  password = demoPassword(username),
  from?: UiSession,
): Promise<UiSession> {
  const anonymous = from ?? (await openUiSession(baseUrl))
  const res = await postForm(baseUrl, anonymous, '/login', { username, password })
  await res.arrayBuffer()
  if (res.status !== 302) throw new Error(`sign-in as ${username} answered ${res.status}`)
  const signedIn = { cookie: mergeCookies(anonymous.cookie, res), csrfToken: '' }
  if (!/sdp_session=/.test(signedIn.cookie)) throw new Error(`sign-in as ${username} set no session cookie`)
  return refreshCsrfToken(baseUrl, signedIn, res.headers.get('location') ?? '/')
}

/**
 * Posts a urlencoded form as our page would: the session's cookies, its token in `_csrf` (unless `fields` says
 * otherwise), and a same-origin `Origin` and `Sec-Fetch-Site`. Redirects are not followed.
 */
export function postForm(
  baseUrl: string,
  session: UiSession,
  path: string,
  fields: Record<string, string> | [string, string][] = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = new URLSearchParams(fields)
  if (!body.has('_csrf')) body.append('_csrf', session.csrfToken)
  return fetch(new URL(path, baseUrl), {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: {
      cookie: session.cookie,
      origin: new URL(baseUrl).origin,
      'sec-fetch-site': 'same-origin',
      ...headers,
    },
  })
}
