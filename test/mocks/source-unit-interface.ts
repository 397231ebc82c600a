import { delay, http, HttpResponse } from 'msw'

// msw handlers for a source unit's HTTP interface (Art. 16, `interface`
// delivery): it answers GET with a JSON array of records. Tests combine them
// with `server.use(...)`; each handler counts the requests it saw.

/** The base of the (fictional) source-unit interfaces the tests register datasets with. */
export const SOURCE_UNIT_API = 'https://api.source-unit.shenyang.example'

export type InterfaceStep =
  | { kind: 'rows'; rows: unknown[] }
  | { kind: 'status'; status: number }
  | { kind: 'body'; body: string }
  | { kind: 'hang'; ms: number }
  | { kind: 'network_error' }

export const answer = (rows: unknown[]): InterfaceStep => ({ kind: 'rows', rows })
export const failWith = (status: number): InterfaceStep => ({ kind: 'status', status })
export const hang = (ms = 60_000): InterfaceStep => ({ kind: 'hang', ms })
export const rawBody = (body: string): InterfaceStep => ({ kind: 'body', body })
export const networkError = (): InterfaceStep => ({ kind: 'network_error' })

/**
 * The interface at `url` answers with `steps` in turn (the last one repeats).
 * `calls` counts requests; the handler also checks what a real interface
 * requires: a GET asking for JSON.
 */
export function sourceUnitInterface(url: string, steps: InterfaceStep[]) {
  const state = { calls: 0 }
  const handler = http.all(url, async ({ request }) => {
    state.calls++
    if (request.method !== 'GET') return new HttpResponse(null, { status: 405 })
    if (!(request.headers.get('accept') ?? '').includes('application/json')) return new HttpResponse(null, { status: 406 })
    const step = steps[Math.min(state.calls - 1, steps.length - 1)]!
    switch (step.kind) {
      case 'rows':
        return HttpResponse.json(step.rows)
      case 'status':
        return HttpResponse.json({ error: 'unavailable' }, { status: step.status })
      case 'body':
        return new HttpResponse(step.body, { headers: { 'content-type': 'application/json' } })
      case 'hang':
        await delay(step.ms)
        return HttpResponse.json([])
      case 'network_error':
        return HttpResponse.error()
    }
  })
  return {
    handler,
    get calls() {
      return state.calls
    },
  }
}
