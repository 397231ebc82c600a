import { Client } from 'lago-javascript-client'
import type { LagoConfig } from './lago-config.ts'

/** The official client (`lago-javascript-client`) bound to our Lago: `<LAGO_API_URL>/api/v1`, Bearer key. */
export type LagoApi = ReturnType<typeof Client>

export function createLagoClient(config: LagoConfig, opts: { fetch?: typeof fetch } = {}): LagoApi {
  return Client(config.apiKey, {
    baseUrl: `${config.apiUrl}/api/v1`,
    ...(opts.fetch ? { customFetch: opts.fetch } : {}),
  })
}

/** A failed Lago call, classified: `retry` for 429, 5xx and network errors (backoff), else `reject`. */
export interface LagoFailure {
  retry: boolean
  status: number | null
  code: string
  message: string
  /** Lago's `error_details` (422: per event index for a batch). */
  details: Record<string, unknown> | null
}

/** What the client threw → a LagoFailure. The client throws the Response (with `.error` parsed) on non-2xx. */
export async function lagoFailure(thrown: unknown): Promise<LagoFailure> {
  if (thrown && typeof thrown === 'object' && 'status' in thrown && typeof thrown.status === 'number') {
    const status = thrown.status
    let body: unknown = 'error' in thrown ? thrown.error : null
    if ((body === null || body === undefined) && 'json' in thrown && typeof thrown.json === 'function') {
      body = await Promise.resolve()
        .then(() => (thrown as Response).json())
        .catch(() => null)
    }
    const b = (body && typeof body === 'object' ? body : {}) as { code?: unknown; error?: unknown; error_details?: unknown }
    return {
      retry: status === 429 || status >= 500,
      status,
      code: typeof b.code === 'string' ? b.code : `http_${status}`,
      message: typeof b.error === 'string' ? b.error : `HTTP ${status}`,
      details: b.error_details && typeof b.error_details === 'object' ? (b.error_details as Record<string, unknown>) : null,
    }
  }
  const message = thrown instanceof Error ? `${thrown.message}${thrown.cause ? `: ${String(thrown.cause)}` : ''}` : String(thrown)
  return { retry: true, status: null, code: 'network_error', message, details: null }
}
