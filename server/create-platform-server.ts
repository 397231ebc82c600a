import { createServer, type Server } from 'node:http'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import express from 'express'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import type { Database } from '#db/client.ts'
import type { Env } from '#platform/env.ts'
import { createGateway, GATEWAY_BASE_PATH, type Gateway } from '#gateway/create-gateway.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

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
    onError: (error, requestId) => log(`[gateway] ${requestId} internal error: ${(error as Error)?.stack ?? String(error)}`),
  })
  const build =
    opts.build ?? ((await import(/* @vite-ignore */ new URL('../build/index.js', import.meta.url).href)) as ServerBuild)

  const app = express()
  app.disable('x-powered-by')
  app.use('/build', express.static(`${root}public/build`, { immutable: true, maxAge: '1y' }))
  // The CJK font is self-hosted from its npm package: no CDN (README, "Chinese text").
  app.use('/fonts/noto-sans-sc', express.static(`${root}node_modules/@fontsource/noto-sans-sc`, { maxAge: '7d' }))
  app.use('/vendor/swagger-ui', express.static(`${root}node_modules/swagger-ui-dist`, { maxAge: '7d', index: false }))
  app.use(express.static(`${root}public`, { maxAge: '1h' }))
  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('referrer-policy', 'same-origin')
    res.setHeader('x-frame-options', 'DENY')
    next()
  })
  app.all(
    '*',
    createRequestHandler({
      build,
      mode: env.NODE_ENV,
      getLoadContext: (_req, res) => {
        const requestId = `req_${randomUUID().replace(/-/g, '')}`
        res.setHeader('x-request-id', requestId)
        return { platform: { db: database.db, env, requestId } }
      },
    }),
  )

  const inFlight = new Set<import('node:http').ServerResponse>()
  const server = createServer((req, res) => {
    inFlight.add(res)
    res.on('close', () => inFlight.delete(res))
    if (req.url?.startsWith(GATEWAY_BASE_PATH + '/')) return gateway.handle(req, res)
    return app(req, res)
  })
  server.keepAliveTimeout = 5000
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
