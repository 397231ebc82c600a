/**
 * Gateway throughput bench (docs/BENCHMARKS.md).
 *
 *   npm run bench:gateway -- [--json] [--duration <s>] [--connections <n>] [--warmup <s>] [--one-client <s>]
 *                            [--targets bare,limit,limit-noinsert,gateway] [--scenarios verification,legal-rep,credit-profile]
 *                            [--profile <dir>] [--keep-db]
 *
 * 1. Builds a fresh temp SQLite database (migrate, seed city `small`, seedPlatform), and moves the demo
 *    subscriptions to a `bench` plan: limits on, but far too high to trip. The minimal server gets a copy of it.
 * 2. Forks each target as a child process, one after the other, so the load generator never shares their event loop:
 *    - bare (bench/bare-target.ts): node:http, reads and parses the body, answers; a GET twin of the credit profile
 *      answers a fixed body of the same size;
 *    - limit (bench/limit-target.ts): the minimal durably-metered server of issue 15 (key hash in a Map, JSON.parse,
 *      one indexed SELECT on the native connection, one INSERT per call committed per event-loop turn before the
 *      answer); limit-noinsert: the same without the INSERT;
 *    - gateway (bench/gateway-target.ts): the real createGateway (WORKERS=N: N cluster workers on one port).
 * 3. Scenarios: verification (POST /api/v1/verifications/enterprise) and credit profile (GET
 *    /api/v1/services/enterprise-credit-profile/{uscc}) on every target, legal-rep on the gateway; each one sanity
 *    request, a warm-up, then the measured run at --connections, then verification and credit profile again with one
 *    client calling in a loop (--one-client seconds).
 * 4. Metering: after each metered target stopped gracefully, every 2xx it answered (sanity, warm-up, measured, one
 *    client) must have exactly one usage event, per operation and in total. Exits 1 on a mismatch.
 * 5. Report: per run req/s, latency percentiles, the target's CPU per call; per product the issue's comparisons
 *    (CPU gateway/bare, throughput gateway/limit and gateway/bare, p99 gateway/limit, one-client p99 over bare).
 *
 * Runs are drained, not cut: at the deadline each connection finishes its in-flight
 * request and sends no more (autocannon's own `duration` stop destroys sockets with
 * requests in flight: the gateway would meter calls whose answers nobody read, and
 * the 2xx/event comparison could not be exact). Throughput counts only responses
 * received within the window; latency percentiles are from every 2xx of the run.
 */
import autocannon from 'autocannon'
import { fork, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { asc, count, eq, sql } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { plans, subscriptions } from '#db/schema/index.ts'
import { generateEnterpriseRows } from '#source-systems/simulated/generate-city.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import type { TargetMessage } from './target-protocol.ts'

const VERIFY_PATH = '/api/v1/verifications/enterprise'
const LEGAL_REP_PATH = '/api/v1/verifications/legal-representative'
const VERIFY_BODY = JSON.stringify({ match: true })
const CREDIT_PROFILE_PATH = '/api/v1/services/enterprise-credit-profile/'
const TARGET_RATIO = 0.6
const TARGET_P99_MS = 10

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
    /** Which targets run (comma-separated): bare, limit, limit-noinsert, gateway. */
    targets: { type: 'string', default: 'bare,limit,limit-noinsert,gateway' },
    /** Which scenarios run (comma-separated): verification, legal-rep, credit-profile. */
    scenarios: { type: 'string', default: 'verification,legal-rep,credit-profile' },
    /** Seconds of each one-client run (0: none). */
    'one-client': { type: 'string', default: '5' },
  },
  strict: true,
})
const durationS = positive('duration', args.duration!)
const connections = Math.round(positive('connections', args.connections!))
const warmupS = Number(args.warmup)
if (!Number.isFinite(warmupS) || warmupS < 0) fail('--warmup must be a number ≥ 0')
const oneClientS = Number(args['one-client'])
if (!Number.isFinite(oneClientS) || oneClientS < 0) fail('--one-client must be a number ≥ 0')
const TARGET_NAMES = ['bare', 'limit', 'limit-noinsert', 'gateway'] as const
type TargetName = (typeof TARGET_NAMES)[number]
const selectedTargets = new Set(args.targets!.split(',').map((t) => t.trim()))
for (const t of selectedTargets) if (!TARGET_NAMES.includes(t as TargetName)) fail(`--targets: unknown target ${t}`)
const runs = (t: TargetName) => selectedTargets.has(t)
const selectedScenarios = new Set(args.scenarios!.split(',').map((t) => t.trim()))

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
const progress = (line: string) => console.error(`[bench] ${line}`)

// ---------------------------------------------------------------- targets

interface Target {
  name: string
  child: ChildProcess
  /** `http://127.0.0.1:<port>`, no path. */
  origin: string
  /** The target's CPU time so far and its clock (ms). */
  cpu(): Promise<{ cpuMs: number; atMs: number }>
  stop(): Promise<Extract<TargetMessage, { type: 'stopped' }>>
}

async function startTarget(name: string, script: string, scriptArgs: string[], execArgv: string[] = []): Promise<Target> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), scriptArgs, {
    execArgv: ['--import', 'tsx', ...execArgv],
    // The child's stdout goes to our stderr: stdout is reserved for the report.
    stdio: ['ignore', 2, 2, 'ipc'],
  })
  const messages: TargetMessage[] = []
  const waiters: (() => void)[] = []
  child.on('message', (m: TargetMessage) => {
    messages.push(m)
    waiters.splice(0).forEach((w) => w())
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  exited.then(() => waiters.splice(0).forEach((w) => w()))
  let exitCode: number | null | undefined
  void exited.then((code) => (exitCode = code))

  async function next<T extends TargetMessage['type']>(type: T, timeoutMs: number): Promise<Extract<TargetMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const error = messages.find((m) => m.type === 'error')
      if (error && error.type === 'error') throw new Error(`${name} target failed:\n${error.message}`)
      const at = messages.findIndex((m) => m.type === type)
      if (at >= 0) return messages.splice(at, 1)[0] as Extract<TargetMessage, { type: T }>
      if (exitCode !== undefined) throw new Error(`${name} target exited (code ${exitCode}) before '${type}'`)
      if (Date.now() > deadline) throw new Error(`${name} target: no '${type}' within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200)
        waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  const ready = await next('ready', 60_000)
  return {
    name,
    child,
    origin: `http://127.0.0.1:${ready.port}`,
    async cpu() {
      child.send({ type: 'cpu' })
      const { cpuMs, atMs } = await next('cpu', 10_000)
      return { cpuMs, atMs }
    },
    async stop() {
      child.send({ type: 'stop' })
      const stopped = await next('stopped', 60_000)
      const code = await exited
      if (code !== 0) throw new Error(`${name} target exited with code ${code}`)
      return stopped
    },
  }
}

// ---------------------------------------------------------------- scenarios

/** One request, sent over and over: the same to every connection. */
interface Scenario {
  /** `bare`, `verification`, `legal-rep`, `credit-profile`. */
  name: string
  /** The gateway operation it calls (usage_events.operation); null for the bare server. */
  operation: string | null
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
  /**
   * Checks the sanity request's answer (throws with a readable message if it is wrong) and returns the
   * body every later answer must equal (autocannon's `expectBody`).
   */
  check(status: number, text: string): string
}

interface ScenarioResult {
  scenario: Scenario
  target: Target
  /** Connections of the measured run (1: one client calling in a loop). */
  connections: number
  sanity2xx: number
  /** What the sanity request showed, for the report (e.g. the masked fields). */
  sanityNote: string
  warmup: RunResult | null
  main: RunResult
  cpu: { targetCorePct: number; targetUsPerRequest: number; loadGeneratorCorePct: number }
}

// ---------------------------------------------------------------- load

interface RunResult {
  label: string
  seconds: number
  /** 2xx responses received within the window, per second. */
  requestsPerSec: number
  /** Every response autocannon counted, drain included. */
  total: number
  status2xx: number
  non2xx: number
  statusCodes: Record<string, number>
  errors: number
  timeouts: number
  mismatches: number
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
}

type DrainableClient = autocannon.Client & { reqsMade: number; responseMax: number | undefined }

interface WindowHooks {
  /** Called when the load starts and when the window closes (before the drain). */
  onStart?: () => void
  onDeadline?: () => void
}

function runLoad(
  label: string,
  origin: string,
  scenario: Scenario,
  expectBody: string,
  seconds: number,
  connections: number,
  hooks: WindowHooks = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const clients: DrainableClient[] = []
    const latencies: number[] = []
    let inWindow = 0
    let startedAt = 0
    let deadline = Infinity
    let drainTimer: NodeJS.Timeout | undefined

    const instance = autocannon(
      {
        url: origin + scenario.path,
        method: scenario.method,
        headers: scenario.headers,
        ...(scenario.body !== undefined ? { body: scenario.body } : {}),
        connections,
        // A safety net only: the drain below ends the run at `seconds`.
        duration: seconds + 30,
        expectBody,
        setupClient: (client) => clients.push(client as DrainableClient),
      },
      (error, result) => {
        clearTimeout(drainTimer)
        if (error) return reject(error)
        latencies.sort((a, b) => a - b)
        const pct = (p: number) =>
          latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]! : NaN
        const mean = latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : NaN
        const statusCodes: Record<string, number> = {}
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
          statusCodes[code] = (stat as { count: number }).count
        resolve({
          label,
          seconds,
          requestsPerSec: inWindow / seconds,
          total: result.requests.total,
          status2xx: result['2xx'],
          non2xx: result.non2xx,
          statusCodes,
          errors: result.errors,
          timeouts: result.timeouts,
          mismatches: result.mismatches,
          latencyMs: { p50: round(pct(50)), p90: round(pct(90)), p99: round(pct(99)), max: round(pct(100)), mean: round(mean) },
        })
      },
    )
    instance.on('start', () => {
      startedAt = performance.now()
      deadline = startedAt + seconds * 1000
      hooks.onStart?.()
      drainTimer = setTimeout(() => {
        hooks.onDeadline?.()
        // Each connection finishes the request it has in flight, then stops.
        for (const c of clients) c.responseMax = Math.max(1, c.reqsMade)
      }, seconds * 1000)
    })
    instance.on('response', (_client, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode < 200 || statusCode >= 300) return
      latencies.push(responseTime)
      if (performance.now() <= deadline) inWindow++
    })
  })
}

const round = (n: number, digits = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n)

/** One request before the load, to fail fast with a readable message if the target answers wrong. */
async function sanityCheck(target: Target, scenario: Scenario): Promise<{ expectBody: string; note: string }> {
  const res = await fetch(target.origin + scenario.path, {
    method: scenario.method,
    headers: scenario.headers,
    ...(scenario.body !== undefined ? { body: scenario.body } : {}),
  })
  const text = await res.text()
  try {
    const expectBody = scenario.check(res.status, text)
    return { expectBody, note: noteOf(text) }
  } catch (error) {
    throw new Error(`${target.name} ${scenario.name} sanity request: ${(error as Error).message}`)
  }
}

function noteOf(text: string): string {
  try {
    const body = JSON.parse(text) as { disclosure?: { registryLevel: string; taxCreditLevel: string; fieldsMasked: number } }
    if (body.disclosure) {
      const d = body.disclosure
      return `registry ${d.registryLevel}: ${d.fieldsMasked} fields masked; tax credit ${d.taxCreditLevel}: band only; ${Buffer.byteLength(text)} B`
    }
  } catch {
    // not JSON: nothing to note
  }
  return `${Buffer.byteLength(text)} B`
}

async function measure(
  target: Target,
  scenario: Scenario,
  connections: number,
  seconds = durationS,
  warmupSeconds = warmupS,
): Promise<ScenarioResult> {
  const label = `${target.name} ${scenario.name}${connections === 1 ? ' (one client)' : ''}`
  const { expectBody, note } = await sanityCheck(target, scenario)
  let warmup: RunResult | null = null
  if (warmupSeconds > 0) {
    progress(`${label}: warm-up ${warmupSeconds} s × ${connections} connections`)
    warmup = await runLoad(`${label} warm-up`, target.origin, scenario, expectBody, warmupSeconds, connections)
  }
  progress(`${label}: measuring ${seconds} s × ${connections} connections (load average ${loadAverage()})`)
  // CPU use over the measured window only: the target is asked at its start and at its end.
  let before: Promise<{ cpuMs: number; atMs: number }> | undefined
  let after: Promise<{ cpuMs: number; atMs: number }> | undefined
  let ownBefore: NodeJS.CpuUsage | undefined
  let own: NodeJS.CpuUsage | undefined
  let ownWallMs = 0
  const main = await runLoad(label, target.origin, scenario, expectBody, seconds, connections, {
    onStart: () => {
      before = target.cpu()
      ownBefore = process.cpuUsage()
      ownWallMs = performance.now()
    },
    onDeadline: () => {
      after = target.cpu()
      own = process.cpuUsage(ownBefore)
      ownWallMs = performance.now() - ownWallMs
    },
  })
  const [b, a] = await Promise.all([before!, after!])
  const targetCpuMs = a.cpuMs - b.cpuMs
  const answeredInWindow = main.requestsPerSec * seconds
  const cpu = {
    /** Share of one core the target used over the measured window. */
    targetCorePct: round((targetCpuMs / (a.atMs - b.atMs)) * 100, 0),
    /** The target's CPU time per request answered in the window, in µs. */
    targetUsPerRequest: round((targetCpuMs * 1000) / Math.max(1, answeredInWindow), 1),
    /** The load generator's (this process's) share of one core over the window. */
    loadGeneratorCorePct: round(((own!.user + own!.system) / 1000 / ownWallMs) * 100, 0),
  }
  return { scenario, target, connections, sanity2xx: 1, sanityNote: note, warmup, main, cpu }
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

// ---------------------------------------------------------------- main

/** The issue-15 targets (docs/BENCHMARKS.md): CPU ≤ 2.5× bare, ≥ 0.85× the minimal metered server, p99 ≤ 1.2× its p99. */
const TARGETS = {
  cpuRatioToBareAtMost: 2.5,
  throughputToLimitAtLeast: 0.85,
  throughputToBareStretch: TARGET_RATIO,
  p99ToLimitAtMost: 1.2,
  p99StretchMs: TARGET_P99_MS,
  oneClientP99OverBareAtMostMs: 1,
}

const loadAverageAtStart = loadAverage()
const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-'))
const dbPath = join(dir, 'bench.db')
const dbUrl = `file:${dbPath}`
/** The minimal metered server meters into its own copy of the database, so both counts stay exact. */
const limitDbPath = join(dir, 'limit.db')
let exitCode = 0
try {
  progress(`database ${dbUrl}`)
  const setupStarted = performance.now()
  const database = await openDatabase(dbUrl)
  await migrateDatabase(database.db)
  const seeded = await seedCity(database.db, { scale: 'small' })
  const { demoApiKey } = await seedPlatform(database.db)
  // Limits on, but high enough not to trip: the bench measures the pipeline, not the plan.
  await database.db.insert(plans).values({
    code: 'bench',
    nameZh: '压测',
    nameEn: 'Benchmark',
    rateLimitPerMinute: 100_000_000,
    monthlyQuota: 1_000_000_000,
    distinctSubjectsPerDay: 1_000_000,
  })
  await database.db.update(subscriptions).set({ planCode: 'bench' })
  const setupMs = performance.now() - setupStarted
  const [enterprise] = await database.db
    .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
    .from(cityEnterprises)
    .where(eq(cityEnterprises.status, 'active'))
    .orderBy(asc(cityEnterprises.uscc))
    .limit(1)
  if (!enterprise) throw new Error('the seeded city has no active enterprise')
  // The plain values come from the generator that seeded the store (which holds them only encrypted).
  const representative = generateEnterpriseRows('small').find((e) => e.uscc === enterprise.uscc)
  if (!representative) throw new Error(`the generator has no enterprise ${enterprise.uscc}`)
  const [{ n: eventsBefore }] = (await database.db.select({ n: count() }).from(usageEvents)) as [{ n: number }]
  await database.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
  database.close()
  copyFileSync(dbPath, limitDbPath)
  progress(`setup (migrate + seed small + seedPlatform) ${Math.round(setupMs)} ms; ${seeded['city_enterprises']} enterprises`)

  const auth = { authorization: `Bearer ${demoApiKey}` }
  const verification: Scenario = {
    name: 'verification',
    operation: 'verifyEnterprise',
    method: 'POST' as const,
    path: VERIFY_PATH,
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ uscc: enterprise.uscc, name: enterprise.name }),
    check(status: number, text: string) {
      if (status !== 200 || text !== VERIFY_BODY) throw new Error(`expected 200 ${VERIFY_BODY}, got ${status} ${text}`)
      return VERIFY_BODY
    },
  }
  const legalRep: Scenario = {
    ...verification,
    name: 'legal-rep',
    operation: 'verifyLegalRepresentative',
    path: LEGAL_REP_PATH,
    body: JSON.stringify({
      uscc: enterprise.uscc,
      personName: representative.legalRepName,
      idNumber: representative.legalRepIdCard,
    }),
  }
  const creditProfile: Scenario = {
    name: 'credit-profile',
    operation: 'getEnterpriseCreditProfile',
    method: 'GET',
    path: CREDIT_PROFILE_PATH + enterprise.uscc,
    headers: auth,
    check(status, text) {
      if (status !== 200) throw new Error(`expected 200, got ${status} ${text}`)
      const body = JSON.parse(text) as { uscc?: string; disclosure?: { fieldsMasked?: number } }
      // Masking on: the L2 registry record comes back with its personal fields (and the code's tail) masked.
      if (!body.disclosure || !(Number(body.disclosure.fieldsMasked) > 0) || body.uscc === enterprise.uscc)
        throw new Error(`expected a masked profile, got ${text}`)
      // The same enterprise under the same levels: every later answer must be byte-identical.
      return text
    },
  }
  // The bare and minimal targets answer the credit profile's GET with a body of their own (no masking).
  const plainCreditProfile: Scenario = {
    ...creditProfile,
    check(status, text) {
      if (status !== 200) throw new Error(`expected 200, got ${status} ${text}`)
      JSON.parse(text)
      return text
    },
  }

  const results: ScenarioResult[] = []
  /** Each scenario at `connections`, then (unless --one-client 0) verification and credit profile with one client. */
  async function runTarget(target: Target, many: Scenario[], single: Scenario[]) {
    const selected = (s: Scenario) => selectedScenarios.has(s.name)
    for (const scenario of many.filter(selected)) results.push(await measure(target, scenario, connections))
    if (oneClientS > 0)
      for (const scenario of single.filter(selected))
        results.push(await measure(target, scenario, 1, oneClientS, Math.min(1, warmupS)))
  }
  const answered = (r: ScenarioResult) => r.sanity2xx + (r.warmup?.status2xx ?? 0) + r.main.status2xx
  const of = (target: string) => results.filter((r) => r.target.name === target)

  if (runs('bare')) {
    progress('starting bare node:http target')
    const bareTarget = await startTarget('bare', './bare-target.ts', [])
    await runTarget(bareTarget, [verification, plainCreditProfile], [verification, plainCreditProfile])
    await bareTarget.stop()
  }

  let limitMetering: {
    limit2xx: number
    usageEvents: number
    recorderCommitted: number | null
    eventsPerCommit: number | null
    equal: boolean
  } | null = null
  if (runs('limit')) {
    progress('starting the minimal metered target (bench/limit-target.ts)')
    const limitTarget = await startTarget('limit', './limit-target.ts', [limitDbPath])
    await runTarget(limitTarget, [verification, plainCreditProfile], [verification, plainCreditProfile])
    const stopped = await limitTarget.stop()
    const limitDb = await openDatabase(`file:${limitDbPath}`)
    const [{ n }] = (await limitDb.db.select({ n: count() }).from(usageEvents)) as [{ n: number }]
    limitDb.close()
    const limit2xx = of('limit').reduce((sum, r) => sum + answered(r), 0)
    limitMetering = {
      limit2xx,
      usageEvents: n - eventsBefore,
      recorderCommitted: stopped.committedEvents,
      eventsPerCommit: stopped.commits ? round((stopped.committedEvents ?? 0) / stopped.commits, 1) : null,
      equal: limit2xx === n - eventsBefore,
    }
  }
  if (runs('limit-noinsert')) {
    progress('starting the minimal target without its INSERT (bench/limit-target.ts --no-insert)')
    const noInsert = await startTarget('limit-noinsert', './limit-target.ts', [limitDbPath, '--no-insert'])
    await runTarget(noInsert, [verification], [])
    await noInsert.stop()
  }

  let gatewayMetering: {
    gateway2xx: number
    usageEvents: number
    recorderCommitted: number | null
    eventsPerCommit: number | null
    equal: boolean
    byOperation: { operation: string; gateway2xx: number; usageEvents: number; fieldsMaskedInEvents: number; equal: boolean }[]
  } | null = null
  let gatewayInternalErrors = 0
  if (runs('gateway')) {
    progress('starting gateway target')
    const profileArgv = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : []
    const gatewayTarget = await startTarget('gateway', './gateway-target.ts', [dbUrl], profileArgv)
    await runTarget(gatewayTarget, [verification, legalRep, creditProfile], [verification, creditProfile])
    progress('stopping gateway target (flushing usage events)')
    const stopped = await gatewayTarget.stop()
    gatewayInternalErrors = stopped.internalErrors

    const after = await openDatabase(dbUrl)
    const [{ n: eventsAfter }] = (await after.db.select({ n: count() }).from(usageEvents)) as [{ n: number }]
    const byOperation = new Map(
      (
        await after.db
          .select({ operation: usageEvents.operation, n: count(), masked: sql<number>`sum(${usageEvents.fieldsMasked})` })
          .from(usageEvents)
          .groupBy(usageEvents.operation)
      ).map((r) => [r.operation, { n: r.n, masked: Number(r.masked ?? 0) }]),
    )
    after.close()
    const gatewayResults = of('gateway')
    const gateway2xx = gatewayResults.reduce((sum, r) => sum + answered(r), 0)
    const operations = [...new Set(gatewayResults.map((r) => r.scenario.operation!))]
    const perOperation = operations.map((operation) => {
      const twoXx = gatewayResults.filter((r) => r.scenario.operation === operation).reduce((sum, r) => sum + answered(r), 0)
      const events = byOperation.get(operation)?.n ?? 0
      return {
        operation,
        gateway2xx: twoXx,
        usageEvents: events,
        fieldsMaskedInEvents: byOperation.get(operation)?.masked ?? 0,
        equal: twoXx === events,
      }
    })
    gatewayMetering = {
      gateway2xx,
      usageEvents: eventsAfter - eventsBefore,
      recorderCommitted: stopped.committedEvents,
      eventsPerCommit: stopped.commits ? round((stopped.committedEvents ?? 0) / stopped.commits, 1) : null,
      equal: gateway2xx === eventsAfter - eventsBefore && perOperation.every((m) => m.equal),
      byOperation: perOperation,
    }
  }

  const problems = (r: RunResult | null) =>
    r ? { non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, mismatches: r.mismatches, statusCodes: r.statusCodes } : null
  const scenarios = results.map((r) => ({
    target: r.target.name,
    scenario: r.scenario.name,
    connections: r.connections,
    request: { method: r.scenario.method, path: r.scenario.path },
    sanity: r.sanityNote,
    seconds: r.main.seconds,
    requestsPerSec: round(r.main.requestsPerSec, 0),
    latencyMs: r.main.latencyMs,
    cpu: r.cpu,
    ...problems(r.main),
    warmup: problems(r.warmup),
  }))

  const find = (target: string, scenario: string, conns: number) =>
    results.find((r) => r.target.name === target && r.scenario.name === scenario && r.connections === conns)
  const ratio = (a: number | undefined, b: number | undefined, digits = 3) =>
    a === undefined || b === undefined || !(b > 0) ? null : round(a / b, digits)
  function comparison(scenario: string) {
    const [g, b, l, n] = ['gateway', 'bare', 'limit', 'limit-noinsert'].map((t) => find(t, scenario, connections))
    const [g1, b1, l1] = ['gateway', 'bare', 'limit'].map((t) => find(t, scenario, 1))
    const rps = (r?: ScenarioResult) => (r ? round(r.main.requestsPerSec, 0) : null)
    const us = (r?: ScenarioResult) => r?.cpu.targetUsPerRequest ?? null
    const p99 = (r?: ScenarioResult) => r?.main.latencyMs.p99 ?? null
    const cpuRatio = ratio(g?.cpu.targetUsPerRequest, b?.cpu.targetUsPerRequest, 2)
    const toLimit = ratio(g?.main.requestsPerSec, l?.main.requestsPerSec)
    const toBare = ratio(g?.main.requestsPerSec, b?.main.requestsPerSec)
    const p99ToLimit = ratio(g?.main.latencyMs.p99, l?.main.latencyMs.p99, 2)
    const oneClientOverBare = g1 && b1 ? round(g1.main.latencyMs.p99 - b1.main.latencyMs.p99, 2) : null
    const met = (value: number | null, ok: (v: number) => boolean) => (value === null ? null : ok(value))
    return {
      cpuUsPerCall: { gateway: us(g), bare: us(b), limit: us(l), limitNoInsert: us(n) },
      cpuRatioGatewayToBare: cpuRatio,
      requestsPerSec: { gateway: rps(g), bare: rps(b), limit: rps(l), limitNoInsert: rps(n) },
      throughputRatio: {
        gatewayToBare: toBare,
        gatewayToLimit: toLimit,
        gatewayToLimitNoInsert: ratio(g?.main.requestsPerSec, n?.main.requestsPerSec),
        limitToBare: ratio(l?.main.requestsPerSec, b?.main.requestsPerSec),
        limitNoInsertToBare: ratio(n?.main.requestsPerSec, b?.main.requestsPerSec),
      },
      p99Ms: { connections, gateway: p99(g), bare: p99(b), limit: p99(l), limitNoInsert: p99(n) },
      p99RatioGatewayToLimit: p99ToLimit,
      oneClientP99Ms: { gateway: p99(g1), bare: p99(b1), limit: p99(l1) },
      oneClientP99GatewayOverBareMs: oneClientOverBare,
      targetsMet: {
        cpuRatio: met(cpuRatio, (v) => v <= TARGETS.cpuRatioToBareAtMost),
        throughputToLimit: met(toLimit, (v) => v >= TARGETS.throughputToLimitAtLeast),
        throughputToBareStretch: met(toBare, (v) => v >= TARGETS.throughputToBareStretch),
        p99ToLimit: met(p99ToLimit, (v) => v <= TARGETS.p99ToLimitAtMost),
        p99Stretch: met(p99(g), (v) => v <= TARGETS.p99StretchMs),
        oneClientP99: met(oneClientOverBare, (v) => v <= TARGETS.oneClientP99OverBareAtMostMs),
      },
    }
  }
  const comparisons = { verification: comparison('verification'), creditProfile: comparison('credit-profile') }
  const meteringEqual = (gatewayMetering?.equal ?? true) && (limitMetering?.equal ?? true)

  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadAverageAtStart,
      loadAverageAtEnd: loadAverage(),
    },
    // WORKERS=N runs the gateway target as N cluster workers on one port and one database (ADR 0043); the other
    // targets stay one process.
    options: {
      durationS,
      warmupS,
      connections,
      oneClientS,
      targets: [...selectedTargets],
      gatewayWorkers: Number(process.env.WORKERS ?? 1),
    },
    setupMs: Math.round(setupMs),
    enterprise: { uscc: enterprise.uscc, name: enterprise.name },
    targets: TARGETS,
    comparisons,
    scenarios,
    metering: { equal: meteringEqual, gateway: gatewayMetering, limit: limitMetering },
    gatewayInternalErrors,
    ...(args.profile ? { cpuProfileDir: args.profile } : {}),
  }

  if (args.json) {
    process.stdout.write(JSON.stringify(report) + '\n')
  } else {
    printReport(report, results)
  }
  if (!meteringEqual) exitCode = 1
} catch (error) {
  console.error(error)
  exitCode = 1
} finally {
  if (args['keep-db']) progress(`kept ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
process.exit(exitCode)

function printReport(report: any, results: ScenarioResult[]) {
  const out = (line = '') => console.log(line)
  const n = (x: number) => Math.round(x).toLocaleString('en-US')
  const ms = (x: number) => x.toFixed(2).padStart(7)
  const x = (v: number | null, unit = '×') => (v === null ? '—' : `${v}${unit}`)
  const yes = (v: boolean | null) => (v === null ? '—' : v ? 'met' : 'NOT met')
  const issues = (r: RunResult) => {
    const parts = [`non-2xx ${r.non2xx}`, `errors ${r.errors}`, `timeouts ${r.timeouts}`, `mismatches ${r.mismatches}`]
    const codes = Object.entries(r.statusCodes).filter(([c]) => !c.startsWith('2'))
    if (codes.length) parts.push(`codes ${codes.map(([c, k]) => `${c}×${k}`).join(' ')}`)
    return parts.join(', ')
  }
  out()
  out(`Gateway bench  ${report.date}`)
  out(
    `machine        ${report.machine.cpus} CPUs, ${report.machine.cpuModel}, node ${report.machine.node}, ${report.machine.platform}` +
      `; load average at start ${report.machine.loadAverageAtStart}, at end ${report.machine.loadAverageAtEnd}`,
  )
  out(
    `load           ${connections} connections × ${durationS} s per scenario (after ${warmupS} s warm-up), drained;` +
      ` one client × ${oneClientS} s for verification and credit profile`,
  )
  out(
    `setup          ${report.setupMs} ms (fresh temp SQLite: migrate + seed small + seedPlatform; plan 'bench': limits on, never tripped)`,
  )
  out(
    'targets        bare = bare node:http; limit = the minimal durably-metered server (bench/limit-target.ts); limit-noinsert = it without its INSERT',
  )
  out()
  out('target          scenario        conns    req/s   p50 ms  p90 ms  p99 ms  max ms  target CPU  µs CPU/req  load-gen CPU')
  for (const r of results) {
    const lat = r.main.latencyMs
    out(
      `${r.target.name.padEnd(15)} ${r.scenario.name.padEnd(15)} ${String(r.connections).padStart(5)} ${n(r.main.requestsPerSec).padStart(8)}  ` +
        `${ms(lat.p50)} ${ms(lat.p90)} ${ms(lat.p99)} ${ms(lat.max)}   ${String(r.cpu.targetCorePct).padStart(6)} %  ` +
        `${r.cpu.targetUsPerRequest.toFixed(1).padStart(10)}   ${String(r.cpu.loadGeneratorCorePct).padStart(9)} %`,
    )
  }
  out(
    `               (CPU columns: share of one core over the measured window; a target well under 100 % was not the bottleneck, or the machine was busy)`,
  )
  for (const [name, c] of Object.entries(report.comparisons) as [string, any][]) {
    out()
    out(`${name}`)
    out(
      `  CPU per call   gateway ${c.cpuUsPerCall.gateway ?? '—'} µs / bare ${c.cpuUsPerCall.bare ?? '—'} µs = ${x(c.cpuRatioGatewayToBare)}` +
        `  (target ≤ ${TARGETS.cpuRatioToBareAtMost}×: ${yes(c.targetsMet.cpuRatio)})`,
    )
    out(
      `  throughput     gateway/limit ${x(c.throughputRatio.gatewayToLimit)} (target ≥ ${TARGETS.throughputToLimitAtLeast}×: ${yes(c.targetsMet.throughputToLimit)});` +
        ` gateway/bare ${x(c.throughputRatio.gatewayToBare)} (stretch ≥ ${TARGETS.throughputToBareStretch}×: ${yes(c.targetsMet.throughputToBareStretch)});` +
        ` limit/bare ${x(c.throughputRatio.limitToBare)}; limit-noinsert/bare ${x(c.throughputRatio.limitNoInsertToBare)}`,
    )
    out(
      `  p99 @${c.p99Ms.connections}       gateway ${c.p99Ms.gateway ?? '—'} ms, limit ${c.p99Ms.limit ?? '—'} ms, bare ${c.p99Ms.bare ?? '—'} ms:` +
        ` gateway/limit ${x(c.p99RatioGatewayToLimit)} (target ≤ ${TARGETS.p99ToLimitAtMost}×: ${yes(c.targetsMet.p99ToLimit)};` +
        ` stretch ≤ ${TARGETS.p99StretchMs} ms: ${yes(c.targetsMet.p99Stretch)})`,
    )
    out(
      `  one client p99 gateway ${c.oneClientP99Ms.gateway ?? '—'} ms, limit ${c.oneClientP99Ms.limit ?? '—'} ms, bare ${c.oneClientP99Ms.bare ?? '—'} ms:` +
        ` gateway − bare ${x(c.oneClientP99GatewayOverBareMs, ' ms')} (target ≤ ${TARGETS.oneClientP99OverBareAtMostMs} ms: ${yes(c.targetsMet.oneClientP99)})`,
    )
  }
  out()
  const g = report.metering.gateway
  if (g) {
    for (const s of g.byOperation)
      out(
        `metering       gateway ${s.operation.padEnd(28)} 2xx ${s.gateway2xx} vs usage_events ${s.usageEvents}: ${s.equal ? 'EQUAL' : 'MISMATCH'}`,
      )
    out(
      `metering       gateway total 2xx ${g.gateway2xx} vs usage_events ${g.usageEvents}: ${g.equal ? 'EQUAL' : 'MISMATCH'}` +
        ` (${g.eventsPerCommit ?? '—'} events per commit on average, all runs)`,
    )
  }
  const l = report.metering.limit
  if (l)
    out(
      `metering       limit total 2xx ${l.limit2xx} vs usage_events ${l.usageEvents}: ${l.equal ? 'EQUAL' : 'MISMATCH'}` +
        ` (${l.eventsPerCommit ?? '—'} events per commit on average, all runs)`,
    )
  for (const r of results)
    out(`problems       ${`${r.target.name} ${r.scenario.name} ×${r.connections}`.padEnd(32)} ${issues(r.main)}`)
  out(`               gateway internal errors ${report.gatewayInternalErrors}`)
  for (const r of results) {
    const w = r.warmup
    if (w && (w.non2xx || w.errors || w.timeouts || w.mismatches))
      out(`               ${r.target.name} ${r.scenario.name} warm-up: ${issues(w)}`)
  }
  if (report.cpuProfileDir) out(`cpu profile    ${report.cpuProfileDir}`)
}
