/**
 * Crash durability check for the metered gateway (docs/BENCHMARKS.md, "Crash durability").
 *
 *   npx tsx bench/crash.ts [--rounds <n>] [--clients <n>] [--kill-after <s>] [--json] [--keep-db]
 *
 * 1. Builds a fresh temp SQLite database itself (migrate, seed city `small`, seedPlatform) and moves the demo
 *    subscriptions to a `bench` plan whose limits are far too high to trip. This happens before the server first
 *    starts: the server seeds only an empty database, so it keeps this one as it is.
 * 2. Starts the real server (`node --import tsx server.ts`, NODE_ENV=production, DEMO_MODE=true, PORT=0) on it, and
 *    reads the URL from its "listening on http://..." line. It needs a `remix build` (build/index.js), as `npm start`.
 * 3. Each round: `--clients` concurrent keep-alive clients call the gateway in a loop, half of them
 *    POST /api/v1/verifications/enterprise and half GET /api/v1/services/enterprise-credit-profile/{uscc}, with the
 *    demo key and a random one of 200 active enterprises. Every 2xx the client receives has its `x-request-id`
 *    recorded the moment the response headers arrive. After `--kill-after` s (plus a random 0–1 s, so the kill lands
 *    at different points of the group-commit cycle) the server gets SIGKILL.
 * 4. The server is restarted on the same database. Then: every recorded request id must have exactly one usage
 *    event (missing = 0), no request id may have two events and no id may have been answered twice
 *    (duplicates = 0), and the restarted server must answer a call again (that call opens the next round).
 * 5. After the last round the server is stopped with SIGTERM (it must exit 0) and the whole table is checked once
 *    more: every id answered in any round, and the final call, has exactly one event.
 *
 * Events without a received answer (calls committed while the client's answer was still in flight at the kill) are
 * counted and shown, not failed: ADR 0002 promises "no answered call without its event", not the converse.
 * Exits 1 on any missing or doubled event, a round without answers, or a server that does not come back.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { asc, count, eq, sql } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { cityEnterprises, plans, subscriptions, usageEvents } from '#db/schema/index.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const VERIFY_PATH = '/api/v1/verifications/enterprise'
const CREDIT_PROFILE_PATH = '/api/v1/services/enterprise-credit-profile/'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    'kill-after': { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
  strict: true,
})
const rounds = Math.round(positive('rounds', args.rounds!))
const clients = Math.round(positive('clients', args.clients!))
const killAfterS = positive('kill-after', args['kill-after']!)

function positive(name: string, raw: string): number {
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number`)
  return n
}
function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

/** Progress goes to stderr, so that with --json stdout holds the one JSON object only. */
const progress = (line: string) => console.error(`[crash] ${line}`)
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

// ---------------------------------------------------------------- the server process

interface Server {
  child: ChildProcess
  url: string
  /** Spawn to "listening", ms. */
  startMs: number
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output(): string
}

async function startServer(dbUrl: string): Promise<Server> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_MODE: 'true',
      SEED_SCALE: 'small',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not listening after 120 s:\n${out}`)), 120_000)
    const onData = (d: Buffer) => {
      // Keep the tail only: the server logs little, but a long run should not grow without bound.
      out = (out + d.toString()).slice(-20_000)
      const m = out.match(/listening on (http:\/\/\S+) /)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${out}`))
    })
  })
  return { child, url, startMs: Math.round(performance.now() - started), exited, output: () => out }
}

// ---------------------------------------------------------------- one call

interface CallSpec {
  method: 'GET' | 'POST'
  path: string
  body?: string
}

interface CallResult {
  status: number
  requestId: string | null
}

/** One call; resolves when the response headers arrive (the body is read and dropped afterwards). */
function call(agent: Agent, base: URL, apiKey: string, spec: CallSpec): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${apiKey}` }
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = Buffer.byteLength(spec.body)
    }
    const req = request({ agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers }, (res) => {
      const id = res.headers['x-request-id']
      resolve({ status: res.statusCode ?? 0, requestId: typeof id === 'string' ? id : null })
      res.on('error', () => undefined) // the server may die mid-body: the answer was already counted
      res.resume()
    })
    req.on('error', reject)
    req.end(spec.body)
  })
}

// ---------------------------------------------------------------- checks

interface EventCheck {
  totalEvents: number
  requestIds: Set<string>
  /** Request ids that have more than one usage event. */
  doubledRequestIds: number
}

async function readEvents(dbUrl: string): Promise<EventCheck> {
  const database = await openDatabase(dbUrl)
  try {
    const rows = await database.db.select({ requestId: usageEvents.requestId }).from(usageEvents)
    const [{ n } = { n: 0 }] = await database.db.select({ n: count() }).from(
      database.db
        .select({ requestId: usageEvents.requestId })
        .from(usageEvents)
        .groupBy(usageEvents.requestId)
        .having(sql`count(*) > 1`)
        .as('doubled'),
    )
    return { totalEvents: rows.length, requestIds: new Set(rows.map((r) => r.requestId)), doubledRequestIds: n }
  } finally {
    database.close()
  }
}

// ---------------------------------------------------------------- main

interface RoundReport {
  round: number
  /** 2xx received by the clients in this round (the opening call included). */
  answered: number
  /** Usage events committed in this round (table count after the restart minus before the round). */
  events: number
  /** Answered request ids without a usage event. Must be 0. */
  missing: number
  /** Request ids with more than one event (whole table), plus ids the clients received twice. Must be 0. */
  duplicates: number
  /** Events whose answer the client never received (in flight at the kill). Allowed. */
  meteredUnanswered: number
  inFlightAtKill: number
  killAtMs: number
  non2xx: Record<string, number>
  errorsBeforeKill: number
  restartMs: number
  answersAfterRestart: boolean
  ok: boolean
}

const loadAverageAtStart = loadAverage()
const dir = mkdtempSync(join(tmpdir(), 'sdp-crash-'))
const dbUrl = `file:${join(dir, 'crash.db')}`
let exitCode = 0
let server: Server | null = null
try {
  if (!existsSync(join(ROOT, 'build', 'index.js'))) throw new Error('build/index.js is missing: run `npx remix build` first')
  progress(`database ${dbUrl}`)
  const database = await openDatabase(dbUrl)
  await migrateDatabase(database.db)
  await seedCity(database.db, { scale: 'small' })
  const { demoApiKey } = await seedPlatform(database.db)
  // The demo subscriptions are on `standard` (600 calls/min per key): limits stay on, but too high to trip.
  await database.db.insert(plans).values({
    code: 'bench',
    nameZh: '压测',
    nameEn: 'Benchmark',
    rateLimitPerMinute: 100_000_000,
    monthlyQuota: 1_000_000_000,
    distinctSubjectsPerDay: 1_000_000,
  })
  await database.db.update(subscriptions).set({ planCode: 'bench' })
  const enterprises = await database.db
    .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.status, 'active'))
    .orderBy(asc(cityEnterprises.uscc))
    .limit(200)
  database.close()
  if (enterprises.length === 0) throw new Error('the seeded city has no active enterprise')

  const pick = () => enterprises[Math.floor(Math.random() * enterprises.length)]!
  const verify = (): CallSpec => {
    const e = pick()
    return { method: 'POST', path: VERIFY_PATH, body: JSON.stringify({ uscc: e.uscc, name: e.name }) }
  }
  const creditProfile = (): CallSpec => ({ method: 'GET', path: CREDIT_PROFILE_PATH + pick().uscc })

  /** Every request id any client received a 2xx for, with the round it belongs to. */
  const answeredIds = new Map<string, number>()
  let clientDuplicates = 0
  const remember = (id: string | null, round: number) => {
    if (!id) throw new Error('a 2xx without x-request-id')
    if (answeredIds.has(id)) clientDuplicates++
    else answeredIds.set(id, round)
  }

  progress('starting the server (first start)')
  server = await startServer(dbUrl)
  progress(`listening on ${server.url} after ${server.startMs} ms`)

  /** The call that shows the (re)started server answers; it belongs to the round it opens. */
  const opening = async (round: number): Promise<boolean> => {
    const agent = new Agent({ keepAlive: false })
    try {
      const r = await call(agent, new URL(server!.url), demoApiKey, verify())
      if (r.status < 200 || r.status >= 300) return false
      remember(r.requestId, round)
      return true
    } catch {
      return false
    } finally {
      agent.destroy()
    }
  }

  const reports: RoundReport[] = []
  let eventsBefore = (await readEvents(dbUrl)).totalEvents
  let answersNow = await opening(1)
  if (!answersNow) throw new Error(`the server does not answer:\n${server.output()}`)

  for (let round = 1; round <= rounds; round++) {
    const base = new URL(server.url)
    const agent = new Agent({ keepAlive: true, maxSockets: clients })
    const non2xx: Record<string, number> = {}
    let killed = false
    let errorsBeforeKill = 0
    let inFlight = 0
    const worker = async (i: number) => {
      const spec = i % 2 === 0 ? verify : creditProfile
      while (!killed) {
        inFlight++
        try {
          const r = await call(agent, base, demoApiKey, spec())
          if (r.status >= 200 && r.status < 300) remember(r.requestId, round)
          else non2xx[r.status] = (non2xx[r.status] ?? 0) + 1
        } catch (error) {
          if (!killed) {
            errorsBeforeKill++
            if (errorsBeforeKill <= 3) progress(`round ${round}: client error before the kill: ${(error as Error).message}`)
          }
        } finally {
          inFlight--
        }
      }
    }
    const killAtMs = Math.round(killAfterS * 1000 + Math.random() * 1000)
    progress(`round ${round}/${rounds}: ${clients} clients, SIGKILL after ${killAtMs} ms (load average ${loadAverage()})`)
    const workers = Array.from({ length: clients }, (_, i) => worker(i))
    await new Promise((r) => setTimeout(r, killAtMs))
    const inFlightAtKill = inFlight
    server.child.kill('SIGKILL')
    killed = true
    const gone = await server.exited
    await Promise.all(workers)
    agent.destroy()
    if (gone.signal !== 'SIGKILL') throw new Error(`the server ended with ${JSON.stringify(gone)}, not by SIGKILL`)

    progress(`round ${round}: killed; restarting on the same database`)
    server = await startServer(dbUrl)
    const events = await readEvents(dbUrl)
    const roundIds = [...answeredIds].filter(([, r]) => r === round).map(([id]) => id)
    const missing = roundIds.filter((id) => !events.requestIds.has(id)).length
    const roundEvents = events.totalEvents - eventsBefore
    const duplicates = events.doubledRequestIds + clientDuplicates
    answersNow = await opening(round + 1)
    const report: RoundReport = {
      round,
      answered: roundIds.length,
      events: roundEvents,
      missing,
      duplicates,
      meteredUnanswered: roundEvents - (roundIds.length - missing),
      inFlightAtKill,
      killAtMs,
      non2xx,
      errorsBeforeKill,
      restartMs: server.startMs,
      answersAfterRestart: answersNow,
      ok: missing === 0 && duplicates === 0 && roundIds.length > 0 && answersNow,
    }
    reports.push(report)
    progress(
      `round ${round}: answered ${report.answered}, events ${report.events}, missing ${missing}, duplicates ${duplicates}, ` +
        `metered but unanswered ${report.meteredUnanswered}; restarted in ${server.startMs} ms, answers: ${answersNow ? 'yes' : 'NO'}`,
    )
    if (!answersNow) break
    eventsBefore = events.totalEvents
  }

  // A graceful stop at the end, then the whole table once more (the last opening call included).
  progress('stopping the server with SIGTERM')
  server.child.kill('SIGTERM')
  const stoppedCleanly = (await server.exited).code === 0
  server = null
  const final = await readEvents(dbUrl)
  const finalMissing = [...answeredIds.keys()].filter((id) => !final.requestIds.has(id)).length
  const finalDuplicates = final.doubledRequestIds + clientDuplicates
  const ok =
    reports.length === rounds && reports.every((r) => r.ok) && finalMissing === 0 && finalDuplicates === 0 && stoppedCleanly

  const summary = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart,
      loadAverageAtEnd: loadAverage(),
    },
    options: { rounds, clients, killAfterS },
    rounds: reports,
    final: {
      answered: answeredIds.size,
      events: final.totalEvents,
      missing: finalMissing,
      duplicates: finalDuplicates,
      stoppedCleanly,
    },
    ok,
  }
  if (args.json) {
    process.stdout.write(JSON.stringify(summary) + '\n')
  } else {
    const out = (line = '') => console.log(line)
    const pad = (v: unknown, n: number) => String(v).padStart(n)
    out()
    out(`Crash durability  ${summary.date}`)
    out(
      `machine           ${summary.machine.cpus} CPUs, ${summary.machine.cpuModel}, node ${summary.machine.node}; ` +
        `load average at start ${loadAverageAtStart}, at end ${summary.machine.loadAverageAtEnd}`,
    )
    out(
      `load              ${clients} keep-alive clients (half verification POST, half credit-profile GET), SIGKILL after ${killAfterS}–${killAfterS + 1} s`,
    )
    out()
    out('round  kill at  answered   events  missing  duplicates  metered-unanswered  in flight  restart  answers again')
    for (const r of reports) {
      out(
        `${pad(r.round, 5)}  ${pad(`${r.killAtMs} ms`, 7)}  ${pad(r.answered, 8)}  ${pad(r.events, 7)}  ${pad(r.missing, 7)}  ${pad(r.duplicates, 10)}` +
          `  ${pad(r.meteredUnanswered, 18)}  ${pad(r.inFlightAtKill, 9)}  ${pad(`${r.restartMs} ms`, 7)}  ${r.answersAfterRestart ? 'yes' : 'NO'}`,
      )
      const codes = Object.entries(r.non2xx)
      if (codes.length || r.errorsBeforeKill)
        out(
          `       non-2xx ${codes.map(([c, k]) => `${c}×${k}`).join(' ') || '0'}, client errors before the kill ${r.errorsBeforeKill}`,
        )
    }
    out()
    out(
      `final             ${answeredIds.size} answered ids (all rounds + the last opening call), ${final.totalEvents} events: ` +
        `missing ${finalMissing}, duplicates ${finalDuplicates}; SIGTERM stop ${stoppedCleanly ? 'exit 0' : 'FAILED'}`,
    )
    out(`result            ${ok ? 'OK: every answered call has exactly one usage event' : 'LOSS OR DOUBLE: see above'}`)
  }
  if (!ok) exitCode = 1
} catch (error) {
  console.error(error)
  exitCode = 1
} finally {
  if (server) {
    server.child.kill('SIGKILL')
    await server.exited
  }
  if (args['keep-db']) progress(`kept ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
process.exit(exitCode)
