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
  /**
   * Resolves once the response can take more bytes (at once unless its buffer is full). Remix's writer does not wait
   * for `drain`, so a streamed download (the log export, ADR 0026) awaits this before reading its next page.
   */
  drained?: () => Promise<void>
}

declare module '@remix-run/node' {
  interface AppLoadContext {
    platform: PlatformContext
  }
}
