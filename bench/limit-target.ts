/**
 * Bench target: the minimal durably-metered server (issue 15), the practical limit of this stack for a metered call.
 * Usage: tsx bench/limit-target.ts <db-file-path> [--no-insert] [port]
 *
 * node:http; the key's SHA-256 looked up in a Map (filled once at start from api_keys + subscriptions); the body
 * read and `JSON.parse`d; one indexed SELECT through the native libsql connection; one INSERT into usage_event_log (the compact row, ADR 0047) per
 * call (the real table, its real indexes), all of one event-loop turn committed in one transaction before any of
 * their answers is written. Nothing else: no limits, no access rules, no validation beyond JSON.parse, no security
 * headers. With `--no-insert` it answers right after the SELECT (no metering at all).
 *
 *   POST /api/v1/verifications/enterprise            {uscc, name} → {"match":true|false}
 *   GET  /api/v1/services/enterprise-credit-profile/{uscc}       → the registry row as JSON
 *
 * Forked by bench/gateway.ts (target-protocol.ts); `committedEvents` in its `stopped` message counts the inserts.
 */
import { createHash } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Database from 'libsql'
import { listenToParent, tell } from './target-protocol.ts'

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const noInsert = process.argv.includes('--no-insert')
const path = positional[0]
if (!path) {
  console.error('usage: tsx bench/limit-target.ts <db-file-path> [--no-insert] [port]')
  process.exit(2)
}
const port = Number(positional[1] ?? 0)

const db = new Database(path)
db.exec('PRAGMA journal_mode = WAL')
db.exec('PRAGMA synchronous = NORMAL')
db.exec('PRAGMA busy_timeout = 5000')

interface Caller {
  apiKeyId: string
  partnerId: string
  subscriptionId: string
  productId: string
  purpose: string
}
// Key hash → the caller, for the one product each scenario calls (a key bound to a subscription, else the
// partner's active subscription of that product).
const callersByProduct = new Map<string, Map<string, Caller>>()
for (const product of ['verify-enterprise-identity', 'enterprise-credit-profile']) {
  const rows = db
    .prepare(
      `select k.key_hash as hash, k.id as apiKeyId, k.partner_id as partnerId, s.id as subscriptionId,
              s.product_id as productId, s.purpose as purpose
         from api_keys k join subscriptions s on s.partner_id = k.partner_id and s.state = 'active'
                     and (k.subscription_id is null or k.subscription_id = s.id)
                     join products p on p.id = s.product_id and p.code = ?
        where k.revoked_at is null`,
    )
    .all(product) as (Caller & { hash: string })[]
  callersByProduct.set(product, new Map(rows.map(({ hash, ...caller }) => [hash, caller])))
}

const findName = db.prepare('select "name" from "city_enterprises" where "uscc" = ? limit 1')
const findRecord = db.prepare(
  'select "uscc", "name", "registered_capital_wan", "industry", "district_code", "status", "founded_on", "address" from "city_enterprises" where "uscc" = ? limit 1',
)
// The compact row the gateway writes (ADR 0047): a context id from memory, the request key's 16 bytes.
const insert = db.prepare(
  `insert into "usage_event_log" ("ctx", "at", "request_key", "subject", "records", "bytes_out") values (?, ?, ?, ?, ?, ?)`,
)
const addContext = db.prepare(
  `insert into "usage_event_contexts" ("api_key_id", "subscription_id", "partner_id", "product_id", "purpose", "operation", "status",
     "dataset_codes", "source_unit_codes", "authorization_codes") values (?, ?, ?, ?, ?, ?, 200, '', '', '') on conflict do nothing`,
)
const findContext = db.prepare(
  `select "id" from "usage_event_contexts" where "api_key_id" = ? and "subscription_id" = ? and "partner_id" = ? and "product_id" = ?
     and "purpose" = ? and "operation" = ? and "status" = 200 and "dataset_codes" = '' and "source_unit_codes" = '' and "authorization_codes" = ''`,
)
const contexts = new Map<string, number>()
function contextOf(caller: Caller, operation: string): number {
  const key = `${caller.apiKeyId}|${caller.subscriptionId}|${operation}`
  let id = contexts.get(key)
  if (id === undefined) {
    const args = [caller.apiKeyId, caller.subscriptionId, caller.partnerId, caller.productId, caller.purpose, operation]
    addContext.run(...args)
    id = Number((findContext.get(...args) as { id: number }).id)
    contexts.set(key, id)
  }
  return id
}

type Row = unknown[]
interface Pending {
  row: Row
  res: ServerResponse
  payload: string
}
let pending: Pending[] = []
let scheduled = false
let committedEvents = 0
let commits = 0
const commitAll = db.transaction((rows: Pending[]) => {
  for (const p of rows) insert.run(...p.row)
})
function flush() {
  scheduled = false
  const batch = pending
  pending = []
  try {
    commitAll(batch)
    committedEvents += batch.length
    commits++
    for (const p of batch) answer(p.res, 200, p.payload)
  } catch {
    for (const p of batch) answer(p.res, 500, '{"error":"internal_error"}')
  }
}

let sequence = 0
const processTag = process.pid & 0xffff
/** 16 bytes: the millisecond (6), this process (2), a counter (8): time-ordered and unique, as the gateway's. */
function requestKey(at: number, n: number): Buffer {
  const key = Buffer.allocUnsafe(16)
  key.writeUIntBE(at, 0, 6)
  key.writeUInt16BE(processTag, 6)
  key.writeBigUInt64BE(BigInt(n), 8)
  return key
}

function meter(res: ServerResponse, caller: Caller, operation: string, subject: string, records: number, payload: string) {
  if (noInsert) return answer(res, 200, payload)
  const n = ++sequence
  const at = Date.now()
  pending.push({
    res,
    payload,
    row: [contextOf(caller, operation), at, requestKey(at, n), subject, records, Buffer.byteLength(payload)],
  })
  if (!scheduled) {
    scheduled = true
    setImmediate(flush)
  }
}

function answer(res: ServerResponse, status: number, payload: string) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}

function callerOf(authorization: string | undefined, product: string): Caller | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined
  return callersByProduct.get(product)!.get(createHash('sha256').update(authorization.slice(7)).digest('hex'))
}

const VERIFY = '/api/v1/verifications/enterprise'
const PROFILE = '/api/v1/services/enterprise-credit-profile/'

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith(PROFILE)) {
    const caller = callerOf(req.headers.authorization, 'enterprise-credit-profile')
    if (!caller) return answer(res, 401, '{"error":"invalid_key"}')
    const uscc = req.url.slice(PROFILE.length)
    const row = findRecord.get(uscc) as Record<string, unknown> | undefined
    if (!row) return answer(res, 404, '{"error":"not_found"}')
    req.resume()
    // Named fields: libsql adds a `_metadata` (the statement's duration) to every row it returns.
    const { _metadata, ...record } = row
    return meter(res, caller, 'getEnterpriseCreditProfile', uscc, 1, JSON.stringify(record))
  }
  if (req.method !== 'POST' || req.url !== VERIFY) {
    req.resume()
    return answer(res, 404, '{"error":"not_found"}')
  }
  const caller = callerOf(req.headers.authorization, 'verify-enterprise-identity')
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    if (!caller) return answer(res, 401, '{"error":"invalid_key"}')
    let body: { uscc?: unknown; name?: unknown }
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body
    } catch {
      return answer(res, 400, '{"error":"invalid_json"}')
    }
    const uscc = String(body.uscc)
    const row = findName.get(uscc) as { name: string } | undefined
    meter(
      res,
      caller,
      'verifyEnterprise',
      uscc,
      row ? 1 : 0,
      row && row.name === body.name ? '{"match":true}' : '{"match":false}',
    )
  })
})
await new Promise<void>((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, '127.0.0.1', () => resolve())
})

listenToParent(async () => {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const force = setTimeout(() => server.closeAllConnections(), 5000)
  await closed
  clearTimeout(force)
  if (pending.length > 0) flush()
  db.close()
  await tell({ type: 'stopped', committedEvents: noInsert ? null : committedEvents, internalErrors: 0, commits })
})

await tell({ type: 'ready', port: (server.address() as AddressInfo).port })
