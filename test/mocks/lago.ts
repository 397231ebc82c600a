import { randomUUID } from 'node:crypto'
import { http, HttpResponse } from 'msw'

// msw handlers for Lago's REST API (the parts we call), checking what the real API requires: the
// `Authorization: Bearer <key>` header, each operation's required fields, at most 100 events per batch, unique
// transaction ids (a batch with any invalid event is refused whole, errors keyed by the event's index). They record
// what arrives. `outage` makes Lago fail (HTTP status or network error) for the next N requests.

export const LAGO_TEST_URL = 'https://lago.test.example'
export const LAGO_TEST_KEY = 'lago-test-key'

export interface LagoEvent {
  transaction_id: string
  external_subscription_id: string
  code: string
  timestamp?: string | number
  properties?: Record<string, unknown> | null
}

export interface LagoMockState {
  /** Accepted events by transaction id (each accepted once: a second one is a 422). */
  events: Map<string, LagoEvent>
  batches: number
  /** Every POST /events/batch that arrived, answered or not. */
  batchRequests: number
  /** Largest batch seen. */
  largestBatch: number
  /** Events accepted in total (equals events.size when none was accepted twice). */
  accepted: number
  billableMetrics: Map<string, Record<string, unknown>>
  plans: Map<string, Record<string, unknown>>
  customers: Map<string, Record<string, unknown>>
  subscriptions: Map<string, Record<string, unknown>>
  /** Requests answered with an outage. */
  outageAnswers: number
  unauthorized: number
  /** Fail the next `requests` requests (any endpoint) with `status`, or a network error. */
  outage(requests: number, failure?: number | 'network'): void
}

const unprocessable = (details: Record<string, unknown>) =>
  HttpResponse.json(
    { status: 422, error: 'Unprocessable Entity', code: 'validation_errors', error_details: details },
    { status: 422 },
  )

export function lagoMock(opts: { url?: string; key?: string } = {}) {
  const base = `${opts.url ?? LAGO_TEST_URL}/api/v1`
  const key = opts.key ?? LAGO_TEST_KEY
  let failing = 0
  let failure: number | 'network' = 503
  const state: LagoMockState = {
    events: new Map(),
    batches: 0,
    batchRequests: 0,
    largestBatch: 0,
    accepted: 0,
    billableMetrics: new Map(),
    plans: new Map(),
    customers: new Map(),
    subscriptions: new Map(),
    outageAnswers: 0,
    unauthorized: 0,
    outage(requests, how = 503) {
      failing = requests
      failure = how
    },
  }

  /** Auth and outage, common to every endpoint; null to go on. */
  async function gate(request: Request, opts: { hasBody?: boolean } = {}): Promise<Response | null> {
    if (request.headers.get('authorization') !== `Bearer ${key}`) {
      state.unauthorized++
      return HttpResponse.json({ status: 401, error: 'Unauthorized', code: 'unauthorized' }, { status: 401 })
    }
    if (failing > 0) {
      failing--
      state.outageAnswers++
      if (failure === 'network') return HttpResponse.error()
      return HttpResponse.json(
        { status: failure, error: failure === 429 ? 'Too Many Requests' : 'Service Unavailable' },
        { status: failure, headers: failure === 429 ? { 'retry-after': '1' } : {} },
      )
    }
    // A request with a body must say it is JSON; a DELETE carries none.
    if (opts.hasBody !== false && !(request.headers.get('content-type') ?? '').includes('application/json'))
      return HttpResponse.json({ status: 400, error: 'Bad Request', code: 'bad_request' }, { status: 400 })
    return null
  }
  const body = async (request: Request) => (await request.json().catch(() => null)) as Record<string, unknown> | null
  const isText = (v: unknown) => typeof v === 'string' && v.length > 0
  const missing = (obj: Record<string, unknown>, fields: string[]) =>
    Object.fromEntries(
      fields.filter((f) => obj[f] === undefined || obj[f] === null || obj[f] === '').map((f) => [f, ['value_is_mandatory']]),
    )

  const handlers = [
    http.post(`${base}/events/batch`, async ({ request }) => {
      state.batchRequests++
      const gated = await gate(request)
      if (gated) return gated
      const json = await body(request)
      const events = json?.events
      if (!Array.isArray(events))
        return HttpResponse.json({ status: 400, error: 'Bad Request', code: 'bad_request' }, { status: 400 })
      if (events.length > 100) return unprocessable({ events: ['too_many_events'] })
      const details: Record<string, unknown> = {}
      const seen = new Set<string>()
      events.forEach((e: Record<string, unknown>, i) => {
        const errors: Record<string, string[]> = {}
        for (const f of ['transaction_id', 'external_subscription_id', 'code'])
          if (!isText(e?.[f])) errors[f] = ['value_is_mandatory']
        const txn = String(e?.transaction_id)
        if (!errors.transaction_id && (state.events.has(txn) || seen.has(txn))) errors.transaction_id = ['value_already_exist']
        if (e?.properties !== undefined && e.properties !== null && typeof e.properties !== 'object')
          errors.properties = ['invalid_type']
        seen.add(txn)
        if (Object.keys(errors).length) details[String(i)] = errors
      })
      if (Object.keys(details).length) return unprocessable(details)
      state.batches++
      state.largestBatch = Math.max(state.largestBatch, events.length)
      for (const e of events as LagoEvent[]) state.events.set(e.transaction_id, e)
      state.accepted += events.length
      return HttpResponse.json({
        events: (events as LagoEvent[]).map((e) => ({ lago_id: randomUUID(), ...e, created_at: new Date().toISOString() })),
      })
    }),
    http.post(`${base}/billable_metrics`, async ({ request }) => {
      const gated = await gate(request)
      if (gated) return gated
      const m = (await body(request))?.billable_metric as Record<string, unknown> | undefined
      if (!m) return HttpResponse.json({ status: 400, error: 'Bad Request', code: 'bad_request' }, { status: 400 })
      const errors = missing(m, ['name', 'code', 'aggregation_type'])
      if (Object.keys(errors).length) return unprocessable(errors)
      if (state.billableMetrics.has(String(m.code))) return unprocessable({ code: ['value_already_exist'] })
      const created = { lago_id: randomUUID(), ...m }
      state.billableMetrics.set(String(m.code), created)
      return HttpResponse.json({ billable_metric: created })
    }),
    http.post(`${base}/plans`, async ({ request }) => {
      const gated = await gate(request)
      if (gated) return gated
      const p = (await body(request))?.plan as Record<string, unknown> | undefined
      if (!p) return HttpResponse.json({ status: 400, error: 'Bad Request', code: 'bad_request' }, { status: 400 })
      const errors = missing(p, ['name', 'code', 'interval', 'amount_cents', 'amount_currency', 'pay_in_advance'])
      if (Object.keys(errors).length) return unprocessable(errors)
      const metricIds = new Set([...state.billableMetrics.values()].map((m) => m.lago_id))
      for (const c of (p.charges ?? []) as Record<string, unknown>[]) {
        if (!c.billable_metric_id || !c.charge_model) return unprocessable({ charges: ['value_is_mandatory'] })
        if (!metricIds.has(c.billable_metric_id))
          return HttpResponse.json({ status: 404, error: 'Not Found', code: 'billable_metrics_not_found' }, { status: 404 })
      }
      if (state.plans.has(String(p.code))) return unprocessable({ code: ['value_already_exist'] })
      const created = { lago_id: randomUUID(), ...p }
      state.plans.set(String(p.code), created)
      return HttpResponse.json({ plan: created })
    }),
    http.post(`${base}/customers`, async ({ request }) => {
      const gated = await gate(request)
      if (gated) return gated
      const c = (await body(request))?.customer as Record<string, unknown> | undefined
      if (!c) return HttpResponse.json({ status: 400, error: 'Bad Request', code: 'bad_request' }, { status: 400 })
      const errors = missing(c, ['external_id'])
      if (Object.keys(errors).length) return unprocessable(errors)
      // Lago upserts customers by external_id.
      const created = { lago_id: state.customers.get(String(c.external_id))?.lago_id ?? randomUUID(), ...c }
      state.customers.set(String(c.external_id), created)
      return HttpResponse.json({ customer: created })
    }),
    http.post(`${base}/subscriptions`, async ({ request }) => {
      const gated = await gate(request)
      if (gated) return gated
      const s = (await body(request))?.subscription as Record<string, unknown> | undefined
      if (!s) return HttpResponse.json({ status: 400, error: 'Bad Request', code: 'bad_request' }, { status: 400 })
      const errors = missing(s, ['external_customer_id', 'plan_code', 'external_id'])
      if (Object.keys(errors).length) return unprocessable(errors)
      if (!state.plans.has(String(s.plan_code)))
        return HttpResponse.json({ status: 404, error: 'Not Found', code: 'plan_not_found' }, { status: 404 })
      // Same external id with another plan: Lago changes the subscription's plan.
      const created = { lago_id: state.subscriptions.get(String(s.external_id))?.lago_id ?? randomUUID(), status: 'active', ...s }
      state.subscriptions.set(String(s.external_id), created)
      return HttpResponse.json({ subscription: created })
    }),
    // Terminate: without `status`, Lago terminates only an active subscription; any other is not found.
    http.delete(`${base}/subscriptions/:externalId`, async ({ request, params }) => {
      const gated = await gate(request, { hasBody: false })
      if (gated) return gated
      const sub = state.subscriptions.get(String(params.externalId))
      if (!sub || sub.status !== 'active')
        return HttpResponse.json({ status: 404, error: 'Not Found', code: 'subscription_not_found' }, { status: 404 })
      const terminated = { ...sub, status: 'terminated', terminated_at: new Date().toISOString() }
      state.subscriptions.set(String(params.externalId), terminated)
      return HttpResponse.json({ subscription: terminated })
    }),
  ]
  return { handlers, state, config: { apiUrl: opts.url ?? LAGO_TEST_URL, apiKey: key } }
}
