import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Db } from '#db/client.ts'
import { TtlCache } from './access/ttl-cache.ts'
import { loadKeyByHash, loadProductByCode, loadSubscription, type KeyAccess, type ProductAccess, type SubscriptionAccess } from './access/load-access.ts'
import { hashApiKey, isWellFormedApiKey } from './keys/api-key-format.ts'
import { GatewayError } from './http/gateway-error.ts'
import { readJsonBody } from './http/read-json-body.ts'
import { UsageRecorder } from './metering/usage-recorder.ts'
import type { ProductOperation } from './products/product-operation.ts'
import { RouteTable } from './http/route-table.ts'
import { createProductOperations } from './products/index.ts'
import { loadOpenApiJson } from './openapi-document.ts'

export const GATEWAY_BASE_PATH = '/api/v1'
const ACCESS_TTL_MS = 500

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
}

/**
 * The metered API (docs: ARCHITECTURE.md "One metered call"). Plain node:http,
 * nothing from Remix: the hot path pays for no UI framework work.
 */
export function createGateway(opts: GatewayOptions): Gateway {
  const { db } = opts
  const now = opts.now ?? Date.now
  const recorder = new UsageRecorder(db)
  const keys = new TtlCache<string, KeyAccess | null>(ACCESS_TTL_MS)
  const productsByCode = new TtlCache<string, ProductAccess | null>(ACCESS_TTL_MS)
  const subs = new TtlCache<string, SubscriptionAccess | null>(ACCESS_TTL_MS)
  const routes = new RouteTable(createProductOperations(db))
  const openApiJson = loadOpenApiJson()

  function send(res: ServerResponse, status: number, payload: string | Buffer, requestId: string, extra?: Record<string, string>) {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': requestId,
      'cache-control': 'no-store',
      ...extra,
    })
    res.end(payload)
  }

  function sendError(res: ServerResponse, error: GatewayError, requestId: string, extra?: Record<string, string>) {
    const body = { error: { code: error.code, message: error.message, requestId, ...(error.fields ? { fields: error.fields } : {}) } }
    send(res, error.status, JSON.stringify(body), requestId, extra)
  }

  async function authenticate(req: IncomingMessage): Promise<KeyAccess> {
    const header = req.headers.authorization ?? ''
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : ''
    if (!key) throw new GatewayError('invalid_key', 'Missing API key: send Authorization: Bearer <key>')
    if (!isWellFormedApiKey(key)) throw new GatewayError('invalid_key', 'Malformed API key')
    const hash = hashApiKey(key)
    // Looked up by its SHA-256: equality on a hash leaks nothing useful through timing.
    const access = await keys.get(hash, () => loadKeyByHash(db, hash))
    if (!access) throw new GatewayError('invalid_key', 'Unknown API key')
    if (access.revokedAt !== null && access.revokedAt <= now()) throw new GatewayError('key_revoked', 'This API key was revoked')
    if (access.expiresAt !== null && access.expiresAt <= now()) throw new GatewayError('key_expired', 'This API key has expired')
    if (access.partnerState !== 'active') throw new GatewayError('not_subscribed', 'The partner is not active')
    return access
  }

  async function handleOperation(
    req: IncomingMessage,
    res: ServerResponse,
    op: ProductOperation,
    params: Record<string, string>,
    query: URLSearchParams,
    requestId: string,
  ) {
    const key = await authenticate(req)
    const product = await productsByCode.get(op.productCode, () => loadProductByCode(db, op.productCode))
    if (!product || product.state === 'draft' || product.state === 'under_review') {
      throw new GatewayError('not_found', 'This product is not published')
    }
    if (product.state === 'retired') throw new GatewayError('product_suspended', 'This product is retired')
    const sub = await subs.get(`${key.partnerId}:${product.id}`, () => loadSubscription(db, key.partnerId, product.id))
    if (!sub || sub.state === 'rejected' || sub.state === 'ended') {
      throw new GatewayError('not_subscribed', `No active subscription to ${product.code}`)
    }
    if (sub.state === 'pending') throw new GatewayError('subscription_pending', 'The subscription awaits the bureau’s approval')

    const body = op.readsBody ? await readJsonBody(req) : undefined
    const started = process.hrtime.bigint()
    const answer = await op.handle({
      db,
      body,
      params,
      query,
      requestId,
      caller: { apiKeyId: key.id, partnerId: key.partnerId, subscriptionId: sub.id, purpose: sub.purpose },
      level: product.level as 'L1' | 'L2' | 'L3' | 'L4',
      now: now(),
    })
    const computeMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6)
    const payload = Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body)
    // The event is committed before the response leaves: no answered call without its event.
    await recorder.record({
      id: randomUUID(),
      at: now(),
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
      calls: 1,
      records: answer.meters?.records ?? 0,
      fieldsMasked: answer.meters?.fieldsMasked ?? 0,
      bytesOut: Buffer.byteLength(payload),
      computeMs: answer.meters?.computeMs ?? computeMs,
      exportBytes: answer.meters?.exportBytes ?? 0,
    })
    send(res, answer.status, payload, requestId, {
      ...(answer.contentType ? { 'content-type': answer.contentType } : {}),
      ...answer.headers,
    })
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = `req_${randomUUID().replace(/-/g, '')}`
    const url = req.url ?? '/'
    const queryAt = url.indexOf('?')
    const path = queryAt === -1 ? url : url.slice(0, queryAt)
    const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1))
    const method = req.method ?? 'GET'
    if (method === 'GET' && path === `${GATEWAY_BASE_PATH}/openapi.json`) {
      return send(res, 200, openApiJson, requestId, { 'cache-control': 'public, max-age=60' })
    }
    const route = routes.match(method, path)
    if (route.kind !== 'found') {
      const error =
        route.kind === 'method_not_allowed'
          ? new GatewayError('method_not_allowed', `${method} is not allowed on ${path}`)
          : new GatewayError('not_found', `No operation at ${method} ${path}`)
      return sendError(res, error, requestId)
    }
    const { op, params } = route
    handleOperation(req, res, op, params, query, requestId).catch((error: unknown) => {
      const gatewayError =
        error instanceof GatewayError ? error : new GatewayError('internal_error', 'The platform could not answer; nothing was billed')
      if (!(error instanceof GatewayError)) opts.onError?.(error, requestId)
      const header = req.headers.authorization ?? ''
      recorder.logRejected({
        at: now(),
        requestId,
        keyPrefix: header.startsWith('Bearer sdp_') ? header.slice(7, 19) : null,
        operation: op.operationId,
        status: gatewayError.status,
        code: gatewayError.code,
        clientIp: req.socket.remoteAddress ?? null,
      })
      if (!res.headersSent) sendError(res, gatewayError, requestId)
    })
  }

  return {
    handle,
    recorder,
    close: () => recorder.close(),
  }
}
