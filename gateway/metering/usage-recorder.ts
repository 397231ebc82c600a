import type { Client, InStatement, InValue } from '@libsql/client'
import type { Db } from '#db/client.ts'
import { apiKeys, rejectedCalls, usageEvents } from '#db/schema/index.ts'
import { addressPrefixOf } from './address-prefix.ts'
import { eq, getTableColumns, getTableName } from 'drizzle-orm'
import { nativeStoreOf } from '#db/native.ts'

export type UsageEventRow = typeof usageEvents.$inferInsert
export type RejectedCallRow = typeof rejectedCalls.$inferInsert

interface Waiter {
  row: UsageEventRow
  resolve: () => void
  reject: (error: unknown) => void
}

// 20 columns × 500 rows stays far below SQLite's bound-parameter limit.
const ROWS_PER_STATEMENT = 500

/**
 * A multi-row INSERT built once per table from the drizzle schema (column names and
 * defaults), bound positionally. On the hot path this replaces drizzle's query
 * builder, whose per-row work cost more than the commit itself.
 */
function rowInserter<T extends typeof usageEvents | typeof rejectedCalls>(table: T) {
  const columns = Object.values(getTableColumns(table)) as {
    name: string
    default?: unknown
    defaultFn?: () => unknown
  }[]
  const keys = Object.keys(getTableColumns(table))
  const head = `insert into "${getTableName(table)}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `
  const tuple = `(${columns.map(() => '?').join(', ')})`
  const defaults = columns.map((c) => c.default ?? null)
  const defaultFns = columns.map((c) => c.defaultFn)
  const argsOf = (row: Record<string, unknown>): InValue[] => {
    const args = new Array<InValue>(keys.length)
    for (let i = 0; i < keys.length; i++) {
      const value = row[keys[i]!]
      const defaultFn = defaultFns[i]
      args[i] = (value !== undefined ? value : defaultFn ? defaultFn() : defaults[i]) as InValue
    }
    return args
  }
  const build = (rows: Record<string, unknown>[]): InStatement => ({
    sql: head + new Array(rows.length).fill(tuple).join(', '),
    args: rows.flatMap(argsOf),
  })
  return Object.assign(build, { singleRowSql: head + tuple, argsOf })
}

/** One anonymous refusal, counted into its bucket (rejected_call_buckets), never stored as a row of its own. */
export interface AnonymousRefusal {
  at: number
  code: string
  status: number
  clientIp: string | null | undefined
}

const BUCKET_SQL =
  'insert into "rejected_call_buckets" ("minute", "code", "status", "address_prefix", "count") values (?, ?, ?, ?, ?) ' +
  'on conflict ("minute", "code", "address_prefix") do update set "count" = "count" + excluded."count"'

const insertEvents = rowInserter(usageEvents)
const insertRejected = rowInserter(rejectedCalls)

// The compact row (ADR 0047): usage_events is a view; the hot path writes usage_event_log itself, with the context's id
// from memory (looked up or added in the same transaction on first sight).
const CONTEXT_COLUMNS =
  'api_key_id, subscription_id, partner_id, product_id, purpose, operation, status, dataset_codes, source_unit_codes, authorization_codes'
const CONTEXT_INSERT_SQL = `INSERT INTO usage_event_contexts (${CONTEXT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
const CONTEXT_SELECT_SQL =
  'SELECT id FROM usage_event_contexts WHERE api_key_id = ? AND subscription_id = ? AND partner_id = ? AND product_id = ? ' +
  'AND purpose = ? AND operation = ? AND status = ? AND dataset_codes = ? AND source_unit_codes = ? AND authorization_codes = ?'
const COMPACT_INSERT_SQL =
  'INSERT INTO usage_event_log (ctx, at, request_key, legacy_id, subject, calls, records, fields_masked, bytes_out, compute_ms, export_bytes) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
const REQUEST_ID = /^req_[0-9a-f]{32}$/
const SUBJECT_HASH = /^[0-9a-f]{64}$/

function contextArgsOf(row: UsageEventRow): InValue[] {
  return [
    row.apiKeyId,
    row.subscriptionId,
    row.partnerId,
    row.productId,
    row.purpose,
    row.operation,
    row.status,
    row.datasetCodes ?? '',
    row.sourceUnitCodes ?? '',
    row.authorizationCodes ?? '',
  ]
}

/**
 * The compact columns of an event, lossless (the view decodes them back): a gateway request id as its 16 bytes, the
 * event id only when it is not those bytes in hex, a 64-hex-digit subject hash as its 32 bytes.
 */
export function compactArgsOf(row: UsageEventRow, ctx: number): InValue[] {
  const requestId = row.requestId
  const standard = REQUEST_ID.test(requestId)
  const requestKey = standard ? Buffer.from(requestId.slice(4), 'hex') : requestId
  const legacyId = standard && row.id === requestId.slice(4) ? null : row.id
  const subject =
    row.subjectHash == null ? null : SUBJECT_HASH.test(row.subjectHash) ? Buffer.from(row.subjectHash, 'hex') : row.subjectHash
  return [
    ctx,
    row.at,
    requestKey,
    legacyId,
    subject,
    row.calls ?? 1,
    row.records ?? 0,
    row.fieldsMasked ?? 0,
    row.bytesOut ?? 0,
    row.computeMs ?? 0,
    row.exportBytes ?? 0,
  ]
}

/**
 * Group commit for usage events (docs/decisions/0002-embedded-sqlite-wal-and-group-commit.md).
 * `record` resolves only after the event's row is committed; the gateway awaits
 * it before writing the response, so no answered call lacks its event. Events
 * arriving in the same turn of the event loop share one commit.
 */
export class UsageRecorder {
  #pending: Waiter[] = []
  #rejected: RejectedCallRow[] = []
  /** `minute|code|status|prefix` → count, folded into rejected_call_buckets with the next commit. */
  #buckets = new Map<string, number>()
  #lastUsed = new Map<string, number>()
  #scheduled = false
  #flushing: Promise<void> = Promise.resolve()
  #lastUsedTimer: NodeJS.Timeout
  #closed = false
  /** Context key → usage_event_contexts.id, for contexts known to be committed. */
  #contexts = new Map<string, number>()
  committedEvents = 0
  /** Transactions that committed at least one usage event: committedEvents / commits is the group size. */
  commits = 0

  constructor(
    private readonly db: Db,
    opts: { lastUsedFlushMs?: number } = {},
  ) {
    this.#lastUsedTimer = setInterval(() => void this.flushLastUsed().catch(() => undefined), opts.lastUsedFlushMs ?? 5000)
    this.#lastUsedTimer.unref()
  }

  record(row: UsageEventRow): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('usage recorder is closed'))
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ row, resolve, reject })
      this.#lastUsed.set(row.apiKeyId, row.at)
      this.#schedule()
    })
  }

  /** Rejected calls are logged for supervision, not billed, and not awaited by the response. */
  logRejected(row: RejectedCallRow): void {
    if (this.#closed) return
    this.#rejected.push(row)
    this.#schedule()
  }

  /**
   * Refusals without a valid key (scanners, guessed keys, malformed requests) are counted per minute, code and
   * address prefix: anonymous noise cannot grow the database by a row per request (ADR 0014).
   */
  countAnonymousRefusal(refusal: AnonymousRefusal): void {
    if (this.#closed) return
    const minute = refusal.at - (refusal.at % 60_000)
    const key = `${minute}|${refusal.code}|${refusal.status}|${addressPrefixOf(refusal.clientIp)}`
    this.#buckets.set(key, (this.#buckets.get(key) ?? 0) + 1)
    this.#schedule()
  }

  #schedule() {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#flushing = this.#flushing.then(() => this.#flushOnce())
    })
  }

  async #flushOnce(): Promise<void> {
    const waiters = this.#pending
    const rejected = this.#rejected
    const buckets = this.#buckets
    this.#pending = []
    this.#rejected = []
    this.#buckets = new Map()
    if (waiters.length === 0 && rejected.length === 0 && buckets.size === 0) return
    const bucketArgs = [...buckets].map(([key, count]): InValue[] => {
      const [minute, code, status, prefix] = key.split('|') as [string, string, string, string]
      return [Number(minute), code, Number(status), prefix, count]
    })
    const statements: InStatement[] = []
    if (!nativeStoreOf(this.db))
      for (let i = 0; i < waiters.length; i += ROWS_PER_STATEMENT) {
        statements.push(insertEvents(waiters.slice(i, i + ROWS_PER_STATEMENT).map((w) => w.row)))
      }
    if (!nativeStoreOf(this.db))
      for (let i = 0; i < rejected.length; i += ROWS_PER_STATEMENT) {
        statements.push(insertRejected(rejected.slice(i, i + ROWS_PER_STATEMENT)))
      }
    if (!nativeStoreOf(this.db)) for (const args of bucketArgs) statements.push({ sql: BUCKET_SQL, args })
    try {
      const native = nativeStoreOf(this.db)
      if (native) {
        // One synchronous transaction of single-row inserts through statements prepared once (ADR 0011).
        const eventStmt = native.statement(COMPACT_INSERT_SQL)
        const rejectedStmt = native.statement(insertRejected.singleRowSql)
        const bucketStmt = native.statement(BUCKET_SQL)
        // One array per row, passed as is: `run(...args)` would make libsql copy it again (`flat()`).
        const added = new Map<string, number>()
        native.transaction(() => {
          for (const w of waiters) {
            const ctxArgs = contextArgsOf(w.row)
            const key = ctxArgs.join('\u0000')
            let ctx = this.#contexts.get(key) ?? added.get(key)
            if (ctx === undefined) {
              native.statement(CONTEXT_INSERT_SQL).run(ctxArgs)
              ctx = Number((native.statement(CONTEXT_SELECT_SQL).get(ctxArgs) as { id: number }).id)
              added.set(key, ctx)
            }
            eventStmt.run(compactArgsOf(w.row, ctx))
          }
          for (const r of rejected) rejectedStmt.run(insertRejected.argsOf(r))
          for (const args of bucketArgs) bucketStmt.run(args)
        })
        // Only a committed context is remembered: a rolled-back one may not exist.
        for (const [key, ctx] of added) this.#contexts.set(key, ctx)
      } else {
        // One statement is atomic by itself; several commit together in one write transaction.
        const client = (this.db as Db & { $client: Client }).$client
        if (statements.length === 1) await client.execute(statements[0]!)
        else await client.batch(statements, 'write')
      }
      this.committedEvents += waiters.length
      if (waiters.length > 0) this.commits++
      for (const w of waiters) w.resolve()
    } catch (error) {
      // Nothing was committed: every caller answers 5xx, so nothing acknowledged is lost.
      for (const w of waiters) w.reject(error)
    }
  }

  async flushLastUsed(): Promise<void> {
    if (this.#lastUsed.size === 0) return
    const entries = [...this.#lastUsed]
    this.#lastUsed.clear()
    const statements = entries.map(([id, at]) => this.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)))
    await this.db.batch(statements as [(typeof statements)[number], ...typeof statements])
  }

  /** Waits for every pending event to be committed. Used at shutdown. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#lastUsedTimer)
    while (this.#scheduled || this.#pending.length > 0 || this.#rejected.length > 0 || this.#buckets.size > 0) {
      await new Promise((r) => setImmediate(r))
      await this.#flushing
    }
    await this.#flushing
    await this.flushLastUsed()
  }
}
