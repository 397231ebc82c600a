import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'
import { computeAuditHash, GENESIS_HASH } from '#platform/audit/audit-hash.ts'
import { FEED_SIGNATURE_HEADER, verifyFeedSignature } from '#supervision/feed/sign-feed-batch.ts'

/**
 * The exchange platform's receiving side, built from api-specs/supervision-feed.yaml alone, on a real node:http
 * server (port 0): checks the HMAC-SM3 signature over the raw body before anything else, validates the batch against
 * the contract's schema, stores each record once by its idempotency key, requires seq order without gaps (409
 * `sequence_gap` with `expectedSeq`), verifies every audit entry's SM3 chain link it can, and warns when the audit
 * head goes backwards or a seq changes its hash. Tests switch its behaviour to simulate outages.
 */

type Json = Record<string, unknown>

const spec = parse(readFileSync(new URL('../../api-specs/supervision-feed.yaml', import.meta.url), 'utf8')) as Json
const ajv = new Ajv2020({ strict: false, allErrors: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
ajv.addSchema({ $id: 'feed', components: spec.components })
const validateBatch = ajv.compile({ $ref: 'feed#/components/schemas/Batch' })

export type ReceiverMode =
  /** Store and answer 200. */
  | 'ok'
  /** Answer 503 without storing. */
  | 'unavailable'
  /** Destroy the connection without an answer, storing nothing. */
  | 'close'
  /** Store the batch, then destroy the connection: the platform never hears that it was accepted. */
  | 'store_then_close'

export interface ReceivedRecord {
  seq: number
  idempotencyKey: string
  kind: string
  occurredAt: string
  payload: Json
  batchId: string
}

export interface ReceivedAttempt {
  batchId: string | null
  status: number | 'closed'
  signatureOk: boolean
  firstSeq: number | null
  lastSeq: number | null
  auditHead: { seq: number; hash: string } | null
  /** Every idempotency key of the attempt, as sent. */
  keys: string[]
}

export interface FeedReceiver {
  url: string
  mode: ReceiverMode
  /** Modes for the next attempts, one each, before `mode` applies again (an outage in the middle of a drain). */
  script: ReceiverMode[]
  /** Stored records in the order they were stored (each key once). */
  records: ReceivedRecord[]
  /** Every request, in order, with what became of it. */
  attempts: ReceivedAttempt[]
  /** Keys that arrived again after being stored. */
  duplicateKeys: string[]
  warnings: string[]
  /** Audit heads of the accepted batches, in order. */
  heads: { seq: number; hash: string }[]
  /** Audit entries whose hash or link to the entry before did not verify. */
  badAuditEntries: number[]
  /** Rewrite each request body before it is checked (a proxy tampering in transit); null: none. */
  tamper: ((body: Buffer, signature: string) => { body: Buffer; signature: string }) | null
  /** Forgets the newest `n` stored records (an old backup restored): the next batch finds a gap. */
  loseLast(n: number): void
  stop(): Promise<void>
}

export async function startFeedReceiver(key: string): Promise<FeedReceiver> {
  const stored = new Set<string>()
  const hashOfSeq = new Map<number, string>()
  let highestHead = { seq: -1, hash: GENESIS_HASH }

  const receiver: FeedReceiver = {
    url: '',
    mode: 'ok',
    script: [],
    records: [],
    attempts: [],
    duplicateKeys: [],
    warnings: [],
    heads: [],
    badAuditEntries: [],
    tamper: null,
    loseLast(n) {
      for (const r of receiver.records.splice(receiver.records.length - n)) stored.delete(r.idempotencyKey)
    },
    stop: async () => undefined,
  }

  const answer = (res: ServerResponse, status: number, body: Json) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: Buffer = Buffer.concat(chunks)
    let signature = String(req.headers[FEED_SIGNATURE_HEADER.toLowerCase()] ?? '')
    if (receiver.tamper) ({ body, signature } = receiver.tamper(body, signature))
    const attempt: ReceivedAttempt = {
      batchId: null,
      status: 0,
      signatureOk: verifyFeedSignature(key, body, signature),
      firstSeq: null,
      lastSeq: null,
      auditHead: null,
      keys: [],
    }
    receiver.attempts.push(attempt)
    if (req.method !== 'POST') return answer(res, (attempt.status = 405), { error: { code: 'method_not_allowed', message: '' } })
    if (!attempt.signatureOk) {
      attempt.status = 401
      return answer(res, 401, { error: { code: 'bad_signature', message: 'the signature does not match the body' } })
    }
    let batch: Json
    try {
      batch = JSON.parse(body.toString('utf8')) as Json
    } catch {
      return answer(res, (attempt.status = 400), { error: { code: 'malformed_batch', message: 'not JSON' } })
    }
    if (!validateBatch(batch)) {
      const message = ajv.errorsText(validateBatch.errors).slice(0, 500)
      return answer(res, (attempt.status = 400), { error: { code: 'malformed_batch', message } })
    }
    const records = batch.records as ReceivedRecord[]
    attempt.batchId = String(batch.batchId)
    attempt.firstSeq = Number(batch.firstSeq)
    attempt.lastSeq = Number(batch.lastSeq)
    attempt.auditHead = batch.auditHead as { seq: number; hash: string }
    attempt.keys = records.map((r) => r.idempotencyKey)
    const mode = receiver.script.shift() ?? receiver.mode
    if (mode === 'close') {
      attempt.status = 'closed'
      return req.socket.destroy()
    }
    if (mode === 'unavailable') {
      return answer(res, (attempt.status = 503), { error: { code: 'unavailable', message: 'maintenance' } })
    }
    const expected = (receiver.records.at(-1)?.seq ?? 0) + 1
    const contiguous = records.every((r, i) => r.seq === attempt.firstSeq! + i) && attempt.lastSeq === records.at(-1)!.seq
    if (!contiguous)
      return answer(res, (attempt.status = 400), { error: { code: 'malformed_batch', message: 'seq not contiguous' } })
    if (attempt.firstSeq > expected) {
      attempt.status = 409
      return answer(res, 409, { error: { code: 'sequence_gap', message: 'records missing', expectedSeq: expected } })
    }
    let accepted = 0
    let duplicates = 0
    for (const r of records) {
      if (stored.has(r.idempotencyKey)) {
        duplicates++
        receiver.duplicateKeys.push(r.idempotencyKey)
        continue
      }
      if (r.seq < expected) {
        // A seq stored before under another key cannot happen: the platform never reuses one.
        return answer(res, (attempt.status = 400), { error: { code: 'malformed_batch', message: `seq ${r.seq} reused` } })
      }
      stored.add(r.idempotencyKey)
      receiver.records.push({ ...r, batchId: attempt.batchId })
      accepted++
      if (r.kind === 'audit_entry') checkAuditEntry(r.payload)
    }
    const warnings: Json[] = []
    const head = attempt.auditHead
    if (head.seq < highestHead.seq) warnings.push({ code: 'audit_head_regressed', message: `${head.seq} < ${highestHead.seq}` })
    const seen = hashOfSeq.get(head.seq)
    if (seen && seen !== head.hash) warnings.push({ code: 'audit_hash_changed', message: `seq ${head.seq}` })
    if (!seen) hashOfSeq.set(head.seq, head.hash)
    if (head.seq > highestHead.seq) highestHead = head
    receiver.heads.push(head)
    receiver.warnings.push(...warnings.map((w) => String(w.code)))
    if (mode === 'store_then_close') {
      attempt.status = 'closed'
      return req.socket.destroy()
    }
    attempt.status = 200
    answer(res, 200, { batchId: attempt.batchId, accepted, duplicates, lastSeq: attempt.lastSeq, warnings })
  }

  /** Each audit entry's own hash, and its link to the entry before when the receiver holds that one. */
  function checkAuditEntry(p: Json) {
    const entry = {
      seq: Number(p.seq),
      at: Number(p.at),
      actorId: p.actorId as string | null,
      actorLabel: String(p.actorLabel),
      role: String(p.role),
      action: String(p.action),
      objectType: String(p.objectType),
      objectId: p.objectId as string | null,
      requestId: p.requestId as string | null,
      detail: p.detail as string | null,
      prevHash: String(p.prevHash),
    }
    const before = entry.seq === 1 ? GENESIS_HASH : hashOfSeq.get(entry.seq - 1)
    if (computeAuditHash(entry) !== p.hash || (before !== undefined && before !== entry.prevHash))
      receiver.badAuditEntries.push(entry.seq)
    const seen = hashOfSeq.get(entry.seq)
    if (seen && seen !== p.hash) receiver.warnings.push('audit_hash_changed')
    hashOfSeq.set(entry.seq, String(p.hash))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'receiver_error', message: String(error) } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/supervision/v1/batches`
  receiver.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return receiver
}
