import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ErrorRequestHandler, RequestHandler, Response } from 'express'
import { hasUrlControlCharacter } from '#platform/text/control-characters.ts'

/**
 * The Express side's first line against hostile requests, before static files and Remix: anything that Express or
 * Remix would turn into a 500 (or worse, a thrown URIError) is answered here with a 4xx page. What each check prevents:
 * - malformed percent-encoding or control characters in the path or query (Express's param decoding throws; a
 *   `%00` in a code would reach the database);
 * - a Host (or trusted X-Forwarded-Host) that is not a host[:port] (@remix-run/express builds `new URL()` from it);
 * - a request target that is not a path (`http://x/…`, `*`);
 * - methods the UI never uses (every form posts; actions read bodies only on POST);
 * - on POST, an `Origin` that is malformed, `null` or another site: Remix's own CSRF check throws on those and
 *   answers 500; we answer 400/403 first, with its rule (origin host === Host) and a scheme check, so it never fires;
 *   and a `Sec-Fetch-Site` other than `same-origin`/`none` (403): the first line against CSRF (ADR 0017), the
 *   session-bound token checked by readForm the second.
 * Form bodies are checked where they are read (app/lib/read-form.server.ts).
 */
export function createUiRequestGuard(options: { trustProxy: boolean }): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, HEAD, POST')
      return sendErrorPage(res, 405)
    }
    if (!options.trustProxy) {
      // Without a proxy of ours in front, these come from the client: Remix would take the host from them.
      delete req.headers['x-forwarded-host']
      delete req.headers['x-forwarded-proto']
    }
    const url = req.url
    if (!url.startsWith('/')) return sendErrorPage(res, 400)
    const host = effectiveHost(req.headers)
    if (host !== undefined && !isHostAndPort(host)) return sendErrorPage(res, 400)
    if (!isCleanTarget(url)) return sendErrorPage(res, 400)
    if (req.method === 'POST') {
      // CSRF, first line (ADR 0017): a browser says where a request comes from; only our own pages may post.
      // `same-site` is exactly another port of this host. Neither header: not a browser of ours (the token decides).
      const site = req.headers['sec-fetch-site']
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return sendErrorPage(res, 403, 'cross_site')
      const origin = req.headers.origin
      if (origin !== undefined) {
        // `null`: a sandboxed frame, a file: page or a cross-site redirect chain; never one of our pages.
        if (origin === 'null') return sendErrorPage(res, 403, 'cross_site')
        const parsed = parseOrigin(origin)
        if (parsed === null) return sendErrorPage(res, 400)
        // Plain HTTP here unless a proxy of ours ends TLS in front: then the page's origin may be https.
        const schemeOk = parsed.protocol === 'http:' || (options.trustProxy && parsed.protocol === 'https:')
        if (!schemeOk || parsed.host !== host) return sendErrorPage(res, 403, 'cross_site')
      }
      closeIfBodyUnread(req, res)
    }
    next()
  }
}

/**
 * An action that refuses a body stops reading it (app/lib/read-form.server.ts). Kept alive, the connection would wait
 * for the rest of a body nobody reads, and a client still sending would never see the answer: so when the answer
 * starts before the body has fully arrived, it says `Connection: close` and Node closes the socket after it.
 */
function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!req.complete) this.shouldKeepAlive = false
    return writeHead.apply(this, args)
  } as typeof writeHead
}

/** The host Remix compares the Origin with: X-Forwarded-Host's first value when present, else Host. */
function effectiveHost(headers: Record<string, string | string[] | undefined>): string | undefined {
  const forwarded = headers['x-forwarded-host']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  if (first) return first
  const host = headers.host
  return Array.isArray(host) ? host[0] : host
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/

/** A DNS name, IPv4 or bracketed IPv6, with an optional port up to 65535. */
export function isHostAndPort(value: string): boolean {
  const match = HOST.exec(value)
  if (!match || value.length > 300) return false
  if (match[1] !== undefined && Number(match[1]) > 65535) return false
  try {
    new URL(`http://${value}/`)
    return true
  } catch {
    return false
  }
}

/** The path and every query name and value decode as UTF-8 and hold no control character. */
export function isCleanTarget(target: string): boolean {
  const q = target.indexOf('?')
  const path = q === -1 ? target : target.slice(0, q)
  const query = q === -1 ? '' : target.slice(q + 1)
  const parts = [path]
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    parts.push(eq === -1 ? pair : pair.slice(0, eq), eq === -1 ? '' : pair.slice(eq + 1))
  }
  for (const part of parts) {
    let decoded: string
    try {
      decoded = decodeURIComponent(part.replace(/\+/g, ' '))
    } catch {
      return false
    }
    if (hasUrlControlCharacter(decoded) || hasUrlControlCharacter(part)) return false
  }
  return true
}

/** An http(s) Origin (`scheme://host[:port]`, nothing more) as protocol and host, or null when it is anything else. */
export function parseOrigin(origin: string): { protocol: string; host: string } | null {
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(origin)) return null
  try {
    const parsed = new URL(origin)
    return { protocol: parsed.protocol, host: parsed.host }
  } catch {
    return null
  }
}

/**
 * The last handler: an error that escaped a middleware or Remix becomes a page. Errors that carry a 4xx status (Express
 * and body parsers set `status`) are the client's; anything else is ours and is logged. A client that went away is
 * neither.
 */
export function createUiErrorHandler(options: { log: (line: string) => void }): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = clientErrorStatus(error)
    const aborted = req.destroyed || isAbort(error)
    if (status === null && !aborted) options.log(`[ui] internal error on ${req.method} ${req.path}: ${errorText(error)}`)
    if (res.headersSent) {
      // Part of the answer is out: nothing better than ending it.
      res.destroy()
      return
    }
    if (aborted) {
      res.destroy()
      return
    }
    sendErrorPage(res, status ?? 500)
  }
}

function clientErrorStatus(error: unknown): number | null {
  const e = error as { status?: unknown; statusCode?: unknown } | null
  const status = Number(e?.status ?? e?.statusCode)
  return Number.isInteger(status) && status >= 400 && status < 500 ? status : null
}

function isAbort(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null
  return e?.name === 'AbortError' || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE'
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

const TITLES: Record<number, [string, string]> = {
  400: ['请求无效', 'Bad request'],
  403: ['请求被拒绝', 'Request refused'],
  404: ['页面不存在', 'Page not found'],
  405: ['不支持的请求方法', 'Method not allowed'],
  413: ['请求内容过大', 'Request too large'],
  415: ['不支持的内容类型', 'Unsupported content type'],
  500: ['系统错误，请稍后重试', 'Something went wrong; please try again'],
}

/** Why a request was refused, when the page should say more than its status. */
const DETAILS = {
  cross_site: [
    '此请求来自其他网站或页面，已被拒绝，未作任何更改。请回到本平台页面重试。',
    'This request came from another site or page and was refused; nothing was changed. Go back to the platform and try again.',
  ],
} as const

/** A small bilingual page, no script and no inline style, so it works under the strictest CSP. */
export function sendErrorPage(res: Response, status: number, detail?: keyof typeof DETAILS): void {
  const [zh, en] = TITLES[status] ?? (status >= 500 ? TITLES[500]! : TITLES[400]!)
  const more = detail ? `<p data-refusal="${detail}">${DETAILS[detail][0]}</p><p lang="en">${DETAILS[detail][1]}</p>` : ''
  const body =
    `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${status} · ${zh}</title></head>` +
    `<body><main><h1>${status} · ${zh}</h1><p lang="en">${en}</p>${more}<p><a href="/">返回首页 · Home</a></p></main></body></html>`
  res.status(status)
  res.setHeader('content-type', 'text/html; charset=utf-8')
  res.setHeader('cache-control', 'no-store')
  res.end(body)
}
