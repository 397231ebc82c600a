import { createServer, type Server, type ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import express from 'express'
import compression from 'compression'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import type { Database } from '#db/client.ts'
import type { Env } from '#platform/env.ts'
import { createGateway, GATEWAY_BASE_PATH, type Gateway } from '#gateway/create-gateway.ts'
import {
  API_CONTENT_SECURITY_POLICY,
  applySecurityHeaders,
  createCspNonce,
  pageContentSecurityPolicy,
  securityHeaders,
} from './security-headers.ts'
import { createUiErrorHandler, createUiRequestGuard } from './ui-request-guard.ts'
import { answerClientError } from './answer-client-error.ts'
import { clientAddressOf } from './client-address.ts'
import { createCsrfCookie } from './csrf-cookie.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

function answerPlainError(res: ServerResponse, status: number, code: string, message: string) {
  const requestId = `req_${randomUUID().replace(/-/g, '')}`
  const body = JSON.stringify({ error: { code, message, requestId } })
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': API_CONTENT_SECURITY_POLICY,
  })
  res.end(body)
}

export interface PlatformServer {
  server: Server
  gateway: Gateway
  url: string
  /** Stop accepting, finish in-flight requests, flush metering, close the database. */
  close(): Promise<void>
}

/**
 * One Node process serves both: the metered gateway on plain node:http at
 * /api/v1 (checked first, no Remix or Express work on its hot path), and the
 * Remix UI for everything else.
 */
export async function createPlatformServer(opts: {
  database: Database
  env: Env
  build?: ServerBuild
  log?: (line: string) => void
}): Promise<PlatformServer> {
  const { database, env } = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  const gateway = createGateway({
    db: database.db,
    subjectHashKey: env.SUBJECT_HASH_KEY,
    responseHeaders: securityHeaders({ trustProxy: env.TRUST_PROXY, contentSecurityPolicy: API_CONTENT_SECURITY_POLICY }),
    onError: (error, requestId) => log(`[gateway] ${requestId} internal error: ${(error as Error)?.stack ?? String(error)}`),
  })
  const build =
    opts.build ?? ((await import(/* @vite-ignore */ new URL('../build/index.js', import.meta.url).href)) as ServerBuild)

  const app = express()
  app.disable('x-powered-by')
  // Behind a TLS-terminating proxy, req.protocol and the client address come from X-Forwarded-* (only then).
  app.set('trust proxy', env.TRUST_PROXY)
  // Security headers first, so static files get them too; Remix pages replace the CSP with one carrying their nonce.
  app.use((_req, res, next) => {
    applySecurityHeaders(res, { trustProxy: env.TRUST_PROXY })
    next()
  })
  app.use(createUiRequestGuard({ trustProxy: env.TRUST_PROXY }))
  // Hashed by the Remix build — scripts, styles and the self-hosted CJK web font's files, copied from its npm package (no
  // CDN) — so cached for good, and compressed (brotli or gzip): nothing in them is secret, unlike a page (BREACH: pages
  // carry the CSRF token beside reflected input, so they are not compressed). ADR 0041.
  app.use('/build', compression(), express.static(`${root}public/build`, { immutable: true, maxAge: '1y' }))
  app.use('/vendor/swagger-ui', express.static(`${root}node_modules/swagger-ui-dist`, { maxAge: '7d', index: false }))
  app.use(express.static(`${root}public`, { maxAge: '1h' }))
  app.use(createCsrfCookie({ secure: env.NODE_ENV !== 'development' }))
  app.all(
    '*',
    createRequestHandler({
      build,
      mode: env.NODE_ENV,
      getLoadContext: (req, res) => {
        const requestId = `req_${randomUUID().replace(/-/g, '')}`
        const cspNonce = createCspNonce()
        res.setHeader('x-request-id', requestId)
        res.setHeader('content-security-policy', pageContentSecurityPolicy(cspNonce))
        // Backpressure for streamed downloads (the log export): Remix writes each chunk without waiting for `drain`.
        const drained = () =>
          res.writableNeedDrain && !res.destroyed
            ? new Promise<void>((resolve) => {
                const done = () => {
                  res.off('drain', done)
                  res.off('close', done)
                  resolve()
                }
                res.on('drain', done)
                res.on('close', done)
              })
            : Promise.resolve()
        return {
          platform: { db: database.db, env, requestId, cspNonce, clientAddress: clientAddressOf(req, env.TRUST_PROXY), drained },
        }
      },
    }),
  )
  app.use(createUiErrorHandler({ log }))

  const inFlight = new Set<import('node:http').ServerResponse>()
  const server = createServer({ requireHostHeader: true }, (req, res) => {
    inFlight.add(res)
    res.on('close', () => inFlight.delete(res))
    const url = req.url ?? ''
    // RFC 9112: `chunked` is the only transfer coding a request may end with, and we accept no other. Node lets some
    // through to the handler while its parser has already failed on them, so the body would never arrive.
    const coding = req.headers['transfer-encoding']
    if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') {
      res.shouldKeepAlive = false
      return answerPlainError(res, 400, 'bad_request', 'Unsupported Transfer-Encoding: only chunked is accepted')
    }
    if (url.startsWith(GATEWAY_BASE_PATH) && /^[/?]?$/.test(url.charAt(GATEWAY_BASE_PATH.length))) {
      return gateway.handle(req, res)
    }
    try {
      // Only origin-form targets (`/path`): an absolute URL or `*` would reach the UI with a base it cannot resolve.
      if (!url.startsWith('/')) return answerPlainError(res, 400, 'bad_request', 'The request target must be a path')
      app(req, res)
    } catch (error) {
      // The last line of defence for the UI path: Express and Remix catch their own errors; anything else ends here.
      log(`[ui] internal error: ${(error as Error)?.stack ?? String(error)}`)
      if (!res.headersSent && !res.destroyed) answerPlainError(res, 500, 'internal_error', 'The platform could not answer')
    }
  })
  server.on('clientError', answerClientError)
  // CONNECT (proxy tunnels) is not served here; without a listener Node would drop the connection unanswered.
  server.on('connect', (_req, socket) => answerClientError(Object.assign(new Error('CONNECT'), { code: 'CONNECT' }), socket))
  server.keepAliveTimeout = 5000
  // Slow senders cannot hold connections: headers within 20 s, a whole request (uploads included) within 10 min.
  server.headersTimeout = 20_000
  server.requestTimeout = 600_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(env.PORT, env.HOST, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST
  const url = `http://${host}:${port}`

  let closing: Promise<void> | null = null
  async function close() {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      // In-flight requests finish; after 10 s the rest are cut so shutdown cannot hang.
      const deadline = setTimeout(() => server.closeAllConnections(), 10_000)
      await stopped
      clearTimeout(deadline)
      await gateway.close()
      database.close()
    })()
    return closing
  }
  return { server, gateway, url, close }
}
