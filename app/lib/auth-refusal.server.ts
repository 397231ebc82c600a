import { failedForm } from '#app/forms/action-reply.server.ts'
import type { DomainError } from '#platform/result.ts'

/**
 * A refused sign-in step (a password, a second-factor code, a password change) as a form reply. The identity
 * operations return when a lock or a sign-in delay ends beside the code (`lockedUntil`, `retryAt`, epoch ms): no
 * field's error but the message's `{until}` (the page writes it in the reader's language), and Retry-After. A wrong
 * code belongs next to the code field (`codeField`), which the second-factor operations do not name themselves.
 */
export function refusedAuthStep(
  error: DomainError,
  opts: { codeField?: string; headers?: HeadersInit; now?: number } = {},
): Response {
  const { lockedUntil, retryAt, ...fields } = error.fields ?? {}
  const until = lockedUntil ?? retryAt
  const headers = new Headers(opts.headers)
  if (until) {
    const seconds = Math.ceil((Number(until) - (opts.now ?? Date.now())) / 1000)
    headers.set('retry-after', String(Math.max(1, seconds)))
  }
  if (opts.codeField && error.code === 'invalid_code') fields[opts.codeField] = error.code
  return failedForm({ ...error, fields }, { vars: until ? { until } : undefined, headers })
}
