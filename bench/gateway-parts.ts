/**
 * What each step of a metered verification costs on its own, in µs of CPU, against what the minimal metered server
 * (bench/limit-target.ts) pays for the same call. The steps run in a tight loop, in-process, on one fresh temp database
 * (migrated; a table of 50,000 enterprises and the usage_events table with its real indexes), so the figures are the
 * floor of each step (hot caches, no event-loop turns). docs/BENCHMARKS.md reads them next to the gateway bench.
 *
 *   npx tsx bench/gateway-parts.ts [--json] [--iterations 50000]
 */
import { createHash, createSecretKey } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { nativeStoreOf } from '#db/native.ts'
import { usageEvents } from '#db/schema/index.ts'
import { getTableColumns } from 'drizzle-orm'
import { hashApiKey, isWellFormedApiKey, generateApiKey } from '#platform/api-keys/api-key-format.ts'
import { explainUscc } from '#platform/codes/uscc.ts'
import { scrubIdentifiersDeep } from '#catalog/output-rules/scrub-identifiers.ts'
import { parseJsonBytes } from '#gateway/http/read-json-body.ts'
import { SpecRequestValidator } from '#gateway/http/spec-validator.ts'
import { loadOpenApiJson } from '#gateway/openapi-document.ts'
import { hashSubject } from '#gateway/limits/distinct-subjects.ts'
import { SlidingWindowLimiter } from '#gateway/limits/sliding-window-limiter.ts'
import { newEventId, newRequestId } from '#gateway/metering/time-ordered-ids.ts'

const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, iterations: { type: 'string', default: '50000' } },
})
const N = Number(args.iterations)

function cost(fn: () => unknown, n = N): number {
  for (let i = 0; i < Math.min(5000, n); i++) fn()
  const before = process.cpuUsage()
  for (let i = 0; i < n; i++) fn()
  const used = process.cpuUsage(before)
  return Math.round(((used.user + used.system) / n) * 100) / 100
}

const dir = mkdtempSync(join(tmpdir(), 'sdp-parts-'))
try {
  const database = await openDatabase(`file:${join(dir, 'parts.db')}`)
  await migrateDatabase(database.db)
  const native = nativeStoreOf(database.db)!
  native.transaction(() => {
    const insert = native.statement(
      `insert into "city_enterprises" ("uscc", "name", "legal_rep_name", "legal_rep_id_card", "legal_rep_phone",
         "registered_capital_wan", "industry", "district_code", "status", "founded_on", "address")
       values (?, ?, 'x', 'x', 'x', 100, 'E', '210102', 'active', '2001-01-01', '沈阳市和平区')`,
    )
    for (let i = 0; i < 50_000; i++) insert.run([`91210102${String(i).padStart(10, '0')}`, `沈阳某某有限公司${i}`])
  })
  const uscc = '912101020000012345'
  const name = '沈阳某某有限公司12345'
  const body = Buffer.from(JSON.stringify({ uscc, name }))
  const { key } = generateApiKey()
  const subjectKey = createSecretKey(Buffer.from('bench-subject-key', 'utf8'))
  const spec = new SpecRequestValidator(JSON.parse(loadOpenApiJson()) as Record<string, unknown>)
  const zodBody = z.object({ uscc: z.string(), name: z.string().trim().min(1).max(100) })
  const limiter = new SlidingWindowLimiter()
  const lookup = native.statement('select "name" from "city_enterprises" where "uscc" = ? limit 1')

  const columns = Object.keys(getTableColumns(usageEvents))
  const eventInsert = native.statement(
    `insert into "usage_events" (${Object.values(getTableColumns(usageEvents))
      .map((c) => `"${c.name}"`)
      .join(', ')}) values (${columns.map(() => '?').join(', ')})`,
  )
  const minimalInsert = native.statement(
    `insert into "usage_events" ("id", "at", "request_id", "api_key_id", "subscription_id", "partner_id", "product_id",
       "purpose", "operation", "status", "subject_hash", "records", "bytes_out") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const subject = hashSubject(subjectKey, uscc)
  const eventRow = (): unknown[] => {
    const at = Date.now()
    return [
      newEventId(at),
      at,
      newRequestId(at),
      'key-id-0000000000000000000000000000',
      'sub-id-0000000000000000000000000000',
      'partner-id-00000000000000000000000000',
      'product-id-00000000000000000000000000',
      'industrial',
      'verifyEnterprise',
      200,
      'DS-REGISTRY',
      'SU-AMR',
      'AUTH-1',
      subject,
      1,
      1,
      0,
      14,
      0,
      0,
    ]
  }
  let n = 0
  const minimalRow = (): unknown[] => {
    const at = Date.now()
    n++
    return [`m${n}`, at, `req_${n}`, 'k', 's', 'p', 'pr', 'industrial', 'verifyEnterprise', 200, uscc, 1, 14]
  }
  const commitOf = (rows: number, row: () => unknown[], stmt: typeof eventInsert) => () =>
    native.transaction(() => {
      for (let i = 0; i < rows; i++) stmt.run(row())
    })

  const parts = {
    // Both servers
    'SHA-256 of the API key (both)': cost(() => createHash('sha256').update(key).digest('hex')),
    'JSON.parse of the body (both)': cost(() => JSON.parse(body.toString('utf8'))),
    'indexed SELECT of the name, native get (both)': cost(() => lookup.get([uscc])),
    // The gateway only
    'key format + CRC32 checksum': cost(() => isWellFormedApiKey(key)),
    'hashApiKey (hex)': cost(() => hashApiKey(key)),
    'strict JSON: UTF-8, depth, shape (parseJsonBytes)': cost(() => parseJsonBytes(body)),
    'spec schema (ajv, checkBody)': cost(() => spec.checkBody('verifyEnterprise', { uscc, name })),
    'operation schema (zod)': cost(() => zodBody.safeParse({ uscc, name })),
    'USCC check character': cost(() => explainUscc(uscc)),
    'HMAC-SHA-256 of the subject (distinct-subjects limit)': cost(() => hashSubject(subjectKey, uscc)),
    'rate window take': cost(() => limiter.take('sub', 100_000_000, Date.now())),
    'identifier scrub of {match:true} (deep walk)': cost(() => scrubIdentifiersDeep({ match: true })),
    'event id + request id (time-ordered)': cost(() => newEventId(Date.now()) + newRequestId(Date.now())),
    // Commits
    'commit of 1 gateway event (20 columns, 5 indexes)': cost(commitOf(1, eventRow, eventInsert), 5000),
    'commit of 1 minimal event (13 columns, same table)': cost(commitOf(1, minimalRow, minimalInsert), 5000),
    'commit of 25 gateway events, per event': cost(commitOf(25, eventRow, eventInsert), 400) / 25,
    'commit of 25 minimal events, per event': cost(commitOf(25, minimalRow, minimalInsert), 400) / 25,
  }
  database.close()
  if (args.json) process.stdout.write(JSON.stringify({ date: new Date().toISOString(), iterations: N, parts }) + '\n')
  else for (const [part, us] of Object.entries(parts)) console.log(`${us.toFixed(2).padStart(8)} µs  ${part}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
