import type { Db } from '#db/client.ts'
import type { Env } from '#platform/env.ts'

/** What the Node server hands every loader and action (server.ts getLoadContext). */
export interface PlatformContext {
  db: Db
  env: Env
  requestId: string
  /** This response's Content-Security-Policy nonce: inline scripts (Remix hydration, ScrollRestoration) carry it. */
  cspNonce: string
  /** The client's address (the TCP peer, or behind TRUST_PROXY what the proxy saw): sign-in throttling, audit. */
  clientAddress: string
}

declare module '@remix-run/node' {
  interface AppLoadContext {
    platform: PlatformContext
  }
}
