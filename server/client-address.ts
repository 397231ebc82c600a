import type { IncomingMessage } from 'node:http'

/**
 * The address a request came from, for sign-in throttling and the audit log. Without TRUST_PROXY it is the TCP
 * peer, whatever the headers say (they are stripped anyway: ui-request-guard.ts). With TRUST_PROXY (TLS ends at one
 * proxy in front of us) it is the last X-Forwarded-For entry: the one our proxy appended, the address it saw. Earlier
 * entries came from the client and can say anything, so they are never used (Express's `req.ip` with
 * `trust proxy = true` would take the first).
 */
export function clientAddressOf(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown'
  if (!trustProxy) return peer
  const header = req.headers['x-forwarded-for']
  const value = Array.isArray(header) ? header.join(',') : header
  const last = value
    ?.split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .at(-1)
  return last ?? peer
}
