import { createSecretKey } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Db } from '#db/client.ts'
import {
  findProductAuthorizationState,
  type ProductAuthorizationState,
} from '#catalog/authorizations/find-product-authorization-state.ts'
import { TtlCache } from './access/ttl-cache.ts'
import { decideAccess, type AccessGrant, type AccessState } from './access/decide-access.ts'
import {
  loadKeyByHash,
  loadProductByCode,
  loadSubscription,
  type KeyAccess,
  type ProductAccess,
  type SubscriptionAccess,
} from './access/load-access.ts'
import { loadEmergencyStop, type EmergencyStopAccess } from './access/load-emergency-stop.ts'
import type { ApprovedVersion } from '#platform/agreements/agreement-standing.ts'
import { loadAcceptedVersionIds, loadApprovedAgreementVersions } from '#platform/agreements/load-agreement-state.ts'
import { hashApiKey, isWellFormedApiKey } from '#platform/api-keys/api-key-format.ts'
import { GatewayError } from './http/gateway-error.ts'
import { ClientClosedError, readJsonBody } from './http/read-json-body.ts'
import { parseRequestTarget } from './http/request-target.ts'
import { endAfterRequest } from './http/end-after-request.ts'
import { bearerKeyOf, checkHeaders } from './http/check-headers.ts'
import { SpecRequestValidator } from './http/spec-validator.ts'
import { UsageRecorder } from './metering/usage-recorder.ts'
import { newRequestId } from './metering/time-ordered-ids.ts'
import type { ProductOperation } from './products/product-operation.ts'
import { RouteTable } from './http/route-table.ts'
import { settleReportExports } from './reports/report-jobs.ts'
import { createProductOperations } from './products/index.ts'
import { createDatasetRules, type LoadProductDatasets } from './products/dataset-rules.ts'
import { loadOpenApiJson } from './openapi-document.ts'
import type { RateDecision } from './limits/sliding-window-limiter.ts'
import { SharedRateLimiter } from './limits/shared-rate-limiter.ts'
import { MonthlyQuotaCounter } from './limits/monthly-quota.ts'
import { DistinctSubjectCounter, hashSubject } from './limits/distinct-subjects.ts'
import { secondsUntil } from './limits/seconds-until.ts'
import { scrubIdentifiersDeep } from '#catalog/output-rules/scrub-identifiers.ts'

export const GATEWAY_BASE_PATH = '/api/v1'
/** How long any access state (key, product, subscription, authorization, suspension) is trusted: under the 1 s promise. */
export const ACCESS_TTL_MS = 500
/** How often the limits hand back permits they hold unused and sweep their ledger (off the hot path; ADR 0043). */
export const LIMIT_SYNC_MS = 1000
/**
 * Used only when no secret is configured (tests, demo). Production passes its own
 * (ADR 0009): with a known key the stored subject hashes could be reversed.
 */
const DEV_SUBJECT_HASH_KEY = 'dev-only-subject-hash-key-change-me'

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void
  recorder: UsageRecorder
  /** Commits pending usage events; call after the HTTP server stopped accepting. */
  close(): Promise<void>
}

export interface GatewayOptions {
  db: Db
  now?: () => number
  onError?: (error: unknown, requestId: string) => void
  /** Secret for the keyed hash of verified subjects (usage_events.subject_hash). */
  subjectHashKey?: string
  /** Headers every answer carries (the server's security headers: CSP, nosniff, framing, HSTS behind TLS). */
  responseHeaders?: Record<string, string>
  /** The operations served; default: every product operation (gateway/products/index.ts). */
  operations?: ProductOperation[]
  /** Where a product's dataset rules (levels, field tags) come from; default: the catalog, cached 500 ms. */
  datasetRules?: LoadProductDatasets
}

/** What one call learned on its way through the pipeline, for its answer or its refusal. */
interface CallState {
  apiKeyId: string | null
  /** The rate window's answer once taken: its RateLimit-* headers go on the answer or the refusal. */
  rate: RateDecision | null
  /** Reservations (quota, subject) to hand back if the call ends unanswered. */
  releases: (() => void)[]
  /** The operationId once routed (for the refusal log). */
  operation: string | null
}

/** The RateLimit-* headers of a rate decision (draft-ietf-httpapi-ratelimit-headers). */
function rateHeadersOf(rate: RateDecision | null): Record<string, string> | null {
  return rate === null
    ? null
    : {
        'ratelimit-limit': String(rate.limit),
        'ratelimit-remaining': String(rate.remaining),
        'ratelimit-reset': String(rate.resetSeconds),
        'ratelimit-policy': `${rate.limit};w=60`,
      }
}

/** A granted (key, product) access state and until when (the clock of the TTL caches) it may decide calls alone. */
interface GrantedState {
  state: AccessState
  until: number
}

/** Any run of 11 digits: a superset of what scrubIdentifiers masks (digits are never escaped in JSON text). */
const MAYBE_IDENTIFIER = /\d{11}/

/** Logged (never answered) when the client hung up before its call was answered; nginx's convention. */
const CLIENT_CLOSED_STATUS = 499

/**
 * The metered API (docs: ARCHITECTURE.md "One metered call"; ADR 0009). Plain
 * node:http, nothing from Remix: the hot path pays for no UI framework work.
 *
 * key → checksum → hash lookup → access policy (access/decide-access.ts: key state → product published →
 * emergency stop → subscription → product/partner suspension → authorization → IP) → rate limit → monthly quota →
 * body → distinct subjects → handler → usage event (committed) → response.
 * Every state is cached for at most 500 ms; in the steady state a call costs no
 * query beyond the handler's own and its share of the group-committed event.
 */
export function createGateway(opts: GatewayOptions): Gateway {
  const { db } = opts
  const now = opts.now ?? Date.now
  // A KeyObject: the HMAC key is prepared once, not per call.
  const subjectKey = createSecretKey(Buffer.from(opts.subjectHashKey ?? DEV_SUBJECT_HASH_KEY, 'utf8'))
  const recorder = new UsageRecorder(db)
  const responseHeaders = opts.responseHeaders ?? {}
  const keys = new TtlCache<string, KeyAccess | null>(ACCESS_TTL_MS)
  const productsByCode = new TtlCache<string, ProductAccess | null>(ACCESS_TTL_MS)
  const subs = new TtlCache<string, SubscriptionAccess | null>(ACCESS_TTL_MS)
  const authorizations = new TtlCache<string, ProductAuthorizationState>(ACCESS_TTL_MS)
  // The stops in force, one entry for the process: a stop or a resume anywhere is honoured here within 1 s.
  const emergencyStops = new TtlCache<'stops', EmergencyStopAccess>(ACCESS_TTL_MS, 1)
  // Agreements (ADR 0031): the approved versions (one entry) and each partner's acceptances, decided per call at its time.
  const agreementVersions = new TtlCache<'approved', ApprovedVersion[]>(ACCESS_TTL_MS, 1)
  const agreementAcceptances = new TtlCache<string, Set<string>>(ACCESS_TTL_MS)
  // Per product, per key hash: the last granted access state (see hotGrant).
  const grantedStates = new Map<string, Map<string, GrantedState>>()
  // Rate limit, quota and distinct subjects are shared by every gateway process on the database (ADR 0043).
  const limiter = new SharedRateLimiter(db)
  const quotas = new MonthlyQuotaCounter(db)
  const subjects = new DistinctSubjectCounter(db)
  const datasetRules = opts.datasetRules ?? createDatasetRules(db)
  const routes = new RouteTable(opts.operations ?? createProductOperations(db, datasetRules))
  const openApiJson = loadOpenApiJson()
  const specRequests = new SpecRequestValidator(JSON.parse(openApiJson) as Record<string, unknown>)

  let syncing: Promise<void> = Promise.resolve()
  const syncTimer = setInterval(() => {
    syncing = syncing
      .then(() => limiter.maintain(now()))
      .then(() => quotas.sync(now()))
      .then(() => subjects.sync(now()))
      .catch(() => undefined)
  }, LIMIT_SYNC_MS)
  syncTimer.unref()

  // The headers every JSON answer carries, flattened once: a metered answer adds only its own (ADR 0040).
  const answerHeaders: (string | number)[] = [
    ...Object.entries(responseHeaders).flat(),
    'content-type',
    'application/json; charset=utf-8',
    'cache-control',
    'no-store',
  ]
  const fixedHeaderNames = new Set(['content-type', 'cache-control', 'content-length', 'x-request-id'])
  const canFlatten = Object.keys(responseHeaders).every((name) => name === name.toLowerCase() && !fixedHeaderNames.has(name))

  /** A metered answer: the headers an array (Node writes it as it is: no object built per call), the payload bytes. */
  function sendAnswer(res: ServerResponse, status: number, payload: Buffer, requestId: string, rate: RateDecision) {
    const headers = answerHeaders.slice()
    headers.push(
      'content-length',
      payload.length,
      'x-request-id',
      requestId,
      'ratelimit-limit',
      String(rate.limit),
      'ratelimit-remaining',
      String(rate.remaining),
      'ratelimit-reset',
      String(rate.resetSeconds),
      'ratelimit-policy',
      `${rate.limit};w=60`,
    )
    res.writeHead(status, headers as unknown as Record<string, string>)
    endAfterRequest(res, payload)
  }

  function send(
    res: ServerResponse,
    status: number,
    payload: string | Buffer,
    requestId: string,
    extra?: Record<string, string>,
  ) {
    res.writeHead(status, {
      ...responseHeaders,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': requestId,
      'cache-control': 'no-store',
      ...extra,
    })
    // A slow sender is cut off with its answer; any other early answer waits for the rest of the body to drain.
    if (extra?.connection === 'close') res.end(payload)
    else endAfterRequest(res, payload)
  }

  function sendError(res: ServerResponse, error: GatewayError, requestId: string, extra?: Record<string, string> | null) {
    const body = {
      error: { code: error.code, message: error.message, requestId, ...(error.fields ? { fields: error.fields } : {}) },
    }
    send(res, error.status, JSON.stringify(body), requestId, { ...extra, ...error.headers })
  }

  /** The SHA-256 of the call's API key, once its format and checksum are right (no I/O). */
  function keyHashOf(req: IncomingMessage): string {
    const key = bearerKeyOf(req.headers.authorization)
    if (!key) throw new GatewayError('invalid_key', 'Missing API key: send Authorization: Bearer <key>')
    if (!isWellFormedApiKey(key)) throw new GatewayError('invalid_key', 'Malformed API key')
    return hashApiKey(key)
  }

  async function authenticate(hash: string, state: CallState): Promise<KeyAccess> {
    // Looked up by its SHA-256: equality on a hash leaks nothing useful through timing.
    const access = await keys.get(hash, () => loadKeyByHash(db, hash))
    if (!access) throw new GatewayError('invalid_key', 'Unknown API key')
    // A real key, even revoked or expired: its refusals belong to its partner's log.
    state.apiKeyId = access.id
    return access
  }

  /** Asks the access policy, loading (through the caches) only the state its next rule needs, until it decides. */
  async function grantAccess(
    op: ProductOperation,
    key: KeyAccess,
    hash: string,
    at: number,
    clientAddress: string | undefined,
  ): Promise<AccessGrant> {
    const access: AccessState = { key }
    let subscriptionKey = ''
    for (;;) {
      const decision = decideAccess(access, { at, clientAddress })
      if (decision.kind === 'granted') {
        rememberGrant(op.productCode, hash, access, subscriptionKey)
        return decision
      }
      if (decision.kind === 'refused') throw new GatewayError(decision.code, decision.message)
      if (decision.part === 'product') {
        access.product = await productsByCode.get(op.productCode, () => loadProductByCode(db, op.productCode))
      } else if (decision.part === 'emergency_stop') {
        access.emergencyStop = await emergencyStops.get('stops', () => loadEmergencyStop(db))
      } else if (decision.part === 'agreements') {
        const { partnerId } = decision
        const [versions, acceptedVersionIds] = await Promise.all([
          agreementVersions.get('approved', () => loadApprovedAgreementVersions(db)),
          agreementAcceptances.get(partnerId, () => loadAcceptedVersionIds(db, partnerId)),
        ])
        access.agreements = { versions, acceptedVersionIds }
      } else if (decision.part === 'subscription') {
        // A key bound to a subscription (ADR 0032) runs under that one: its purpose and plan decide the price.
        const { partnerId, productId, subscriptionId } = decision
        subscriptionKey = `${subscriptionId ?? partnerId}:${productId}`
        access.subscription = await subs.get(subscriptionKey, () =>
          loadSubscription(db, { partnerId, productId, subscriptionId, at }),
        )
      } else {
        const { productId } = decision
        access.authorization = await authorizations.get(productId, () =>
          findProductAuthorizationState(db, { productId, now: at }),
        )
      }
    }
  }

  /**
   * Keeps a granted access state until the oldest cache entry it was assembled from expires: until then a call with
   * the same key and product is decided on it in one synchronous pass (not seven cache lookups and awaits), with
   * exactly the staleness the caches allow (ACCESS_TTL_MS; ADR 0040). A refusal is never kept.
   */
  function rememberGrant(productCode: string, hash: string, access: AccessState, subscriptionKey: string) {
    const { key, product, subscription } = access
    if (!product || !subscription) return
    const loadedAt = [
      keys.loadedAt(hash),
      productsByCode.loadedAt(productCode),
      emergencyStops.loadedAt('stops'),
      subs.loadedAt(subscriptionKey),
      agreementVersions.loadedAt('approved'),
      agreementAcceptances.loadedAt(key.partnerId),
      authorizations.loadedAt(product.id),
    ]
    if (loadedAt.some((t) => t === undefined)) return
    let byKey = grantedStates.get(productCode)
    if (!byKey) grantedStates.set(productCode, (byKey = new Map()))
    if (byKey.size >= 10_000) byKey.clear()
    byKey.set(hash, { state: { ...access }, until: Math.min(...(loadedAt as number[])) + ACCESS_TTL_MS })
  }

  /** The grant of a remembered state still in its window, decided anew for this call (time, address); else undefined. */
  function hotGrant(
    productCode: string,
    hash: string,
    at: number,
    clientAddress: string | undefined,
  ): { key: KeyAccess; grant: AccessGrant } | undefined {
    const remembered = grantedStates.get(productCode)?.get(hash)
    // The TTL caches' own clock (Date.now), not the call's `now`: the window is theirs.
    if (!remembered || Date.now() >= remembered.until) return undefined
    const decision = decideAccess(remembered.state, { at, clientAddress })
    return decision.kind === 'granted' ? { key: remembered.state.key, grant: decision } : undefined
  }

  async function handleOperation(
    req: IncomingMessage,
    res: ServerResponse,
    op: ProductOperation,
    params: Record<string, string>,
    query: URLSearchParams,
    requestId: string,
    state: CallState,
  ) {
    const at = now()
    const hash = keyHashOf(req)
    const clientAddress = req.socket.remoteAddress
    const hot = hotGrant(op.productCode, hash, at, clientAddress)
    let key: KeyAccess
    let grant: AccessGrant
    if (hot) {
      key = hot.key
      grant = hot.grant
      state.apiKeyId = key.id
    } else {
      key = await authenticate(hash, state)
      grant = await grantAccess(op, key, hash, at, clientAddress)
    }
    const { product, subscription: sub, authorizationCodes } = grant

    // Per subscription, shared by all of the partner's keys: a second key does not double the plan.
    const rate = await limiter.take(sub.id, sub.rateLimitPerMinute, at)
    state.rate = rate
    if (!rate.allowed) {
      throw new GatewayError('rate_limited', `More than ${rate.limit} calls in 60 seconds on this subscription`, undefined, {
        'retry-after': String(rate.resetSeconds),
      })
    }

    if (sub.monthlyQuota !== null) {
      const quota = await quotas.take(sub.id, sub.monthlyQuota, at)
      if (!quota.allowed) {
        throw new GatewayError(
          'quota_exhausted',
          `The subscription's ${sub.monthlyQuota} calls of this month are used`,
          undefined,
          {
            'retry-after': String(secondsUntil(quota.resetsAt, at)),
          },
        )
      }
      state.releases.push(quota.release)
    }

    specRequests.checkParams(op.operationId, params, query)
    const body = op.readsBody ? await readJsonBody(req) : undefined
    if (op.readsBody) specRequests.checkBody(op.operationId, body)

    let subjectHash: string | null = null
    const subject = op.subjectOf?.({ body, params })
    if (subject !== undefined) {
      subjectHash = hashSubject(subjectKey, subject)
      const decision = await subjects.admit(sub.id, subjectHash, sub.distinctSubjectsPerDay, at)
      if (!decision.allowed) {
        throw new GatewayError(
          'rate_limited',
          `More than ${sub.distinctSubjectsPerDay} distinct subjects today on this subscription (anti-enumeration)`,
          { subject: 'distinct_subjects_per_day' },
          { 'retry-after': String(secondsUntil(decision.resetsAt, at)) },
        )
      }
      state.releases.push(decision.release)
    }

    const started = process.hrtime.bigint()
    const datasets = await datasetRules(product.id)
    const answer = await op.handle({
      body,
      params,
      query,
      requestId,
      caller: { apiKeyId: key.id, partnerId: key.partnerId, subscriptionId: sub.id, purpose: sub.purpose },
      datasets,
      now: at,
    })
    const computeMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6)
    if (subjectHash === null && answer.subjectKey !== undefined) subjectHash = hashSubject(subjectKey, answer.subjectKey)
    // No ID, mobile or bank-card number leaves unmasked, whatever the handler built (ADR 0037).
    // Serialised once, to bytes once (counted for the event, written as they are). The deep scrub walks the answer
    // only when its text holds a run of 11 digits, the shortest number it masks.
    let payload: Buffer
    if (Buffer.isBuffer(answer.body)) payload = answer.body
    else {
      const text = JSON.stringify(answer.body)
      payload = Buffer.from(MAYBE_IDENTIFIER.test(text) ? JSON.stringify(scrubIdentifiersDeep(answer.body).value) : text)
    }
    // The event is committed before the response leaves: no answered call without its event.
    await recorder.record({
      // The request id's own 128 time-ordered bits (ADR 0040, 0047): stored once, as the request key, never twice.
      id: requestId.slice(4),
      at,
      requestId,
      apiKeyId: key.id,
      subscriptionId: sub.id,
      partnerId: key.partnerId,
      productId: product.id,
      purpose: sub.purpose,
      operation: op.operationId,
      status: answer.status,
      datasetCodes: product.datasetCodes,
      sourceUnitCodes: product.sourceUnitCodes,
      authorizationCodes: authorizationCodes.join(','),
      subjectHash,
      calls: 1,
      records: answer.meters?.records ?? 0,
      fieldsMasked: answer.meters?.fieldsMasked ?? 0,
      bytesOut: payload.length,
      computeMs: answer.meters?.computeMs ?? computeMs,
      exportBytes: answer.meters?.exportBytes ?? 0,
    })
    state.releases = []
    if (canFlatten && answer.contentType === undefined && answer.headers === undefined) {
      sendAnswer(res, answer.status, payload, requestId, rate)
    } else {
      send(res, answer.status, payload, requestId, {
        ...rateHeadersOf(rate),
        ...(answer.contentType ? { 'content-type': answer.contentType } : {}),
        ...answer.headers,
      })
    }
  }

  /** Logs a refusal: a row in the partner's log when the key is known, else a count in the anonymous buckets. */
  function logRefusal(
    req: IncomingMessage,
    requestId: string,
    apiKeyId: string | null,
    operation: string,
    error: GatewayError | null,
  ) {
    const status = error?.status ?? CLIENT_CLOSED_STATUS
    const code = error?.code ?? 'client_closed'
    const at = now()
    if (apiKeyId === null) {
      recorder.countAnonymousRefusal({ at, code, status, clientIp: req.socket.remoteAddress })
      return
    }
    const key = bearerKeyOf(req.headers.authorization)
    recorder.logRejected({
      at,
      requestId,
      apiKeyId,
      keyPrefix: key.startsWith('sdp_') ? key.slice(0, 12) : null,
      operation: operation.slice(0, 160),
      status,
      code,
      clientIp: req.socket.remoteAddress ?? null,
    })
  }

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, state: CallState) {
    const target = parseRequestTarget(req.url ?? '/')
    const method = req.method ?? 'GET'
    if (method === 'GET' && target.path === `${GATEWAY_BASE_PATH}/openapi.json`) {
      return send(res, 200, openApiJson, requestId, { 'cache-control': 'public, max-age=60' })
    }
    checkHeaders(req)
    const route = routes.match(method, target.path)
    if (route.kind === 'method_not_allowed') throw new GatewayError('method_not_allowed', `${method} is not allowed here`)
    if (route.kind !== 'found') throw new GatewayError('not_found', 'No operation at this path')
    state.operation = route.op.operationId
    await handleOperation(req, res, route.op, route.params, target.query, requestId, state)
  }

  /**
   * Every request ends here: answered by its operation, or refused with the JSON error. Nothing a client sends can
   * throw past this point — a synchronous throw, a rejected promise and a client hanging up all end as one answer
   * (or none, for a client that is gone) and one log entry.
   */
  function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = newRequestId(now())
    const state: CallState = { apiKeyId: null, rate: null, releases: [], operation: null }
    let running: Promise<void>
    try {
      running = serve(req, res, requestId, state)
    } catch (error) {
      running = Promise.reject(error)
    }
    running.catch((error: unknown) => {
      // Unanswered: nothing is metered, so the call's quota and subject reservations go back.
      for (const release of state.releases) release()
      const operation = state.operation ?? `${(req.method ?? '').slice(0, 10)} ${(req.url ?? '').split('?')[0]!.slice(0, 120)}`
      if (error instanceof ClientClosedError) {
        logRefusal(req, requestId, state.apiKeyId, operation, null)
        // Nobody to answer: release the connection rather than leave a response open on it.
        res.destroy()
        return
      }
      const gatewayError =
        error instanceof GatewayError
          ? error
          : new GatewayError('internal_error', 'The platform could not answer; nothing was billed')
      if (!(error instanceof GatewayError)) opts.onError?.(error, requestId)
      logRefusal(req, requestId, state.apiKeyId, operation, gatewayError)
      if (!res.headersSent && !res.destroyed) sendError(res, gatewayError, requestId, rateHeadersOf(state.rate))
    })
  }

  return {
    handle,
    recorder,
    async close() {
      clearInterval(syncTimer)
      await syncing
      // Report jobs write their files to the database: let the running one finish before it closes (queued ones
      // stay queued and resume at the next start).
      await settleReportExports()
      await recorder.close()
      // Permits and quota units held unused go back for the other processes (ADR 0043).
      await Promise.all([limiter.close(), quotas.close()]).catch(() => undefined)
    },
  }
}
