/**
 * Gateway throughput bench (docs/BENCHMARKS.md).
 *
 *   npm run bench:gateway -- [--json] [--duration <s>] [--connections <n>] [--warmup <s>] [--profile <dir>]
 *
 * 1. Builds a fresh temp SQLite database (migrate, seed city `small`, seedPlatform).
 * 2. Forks a bare node:http baseline (bench/bare-target.ts) and the real gateway
 *    (bench/gateway-target.ts) as child processes, one after the other, so the load
 *    generator never shares their event loop.
 * 3. Against each: one sanity request, a warm-up, then the measured autocannon run
 *    (POST /api/v1/verifications/enterprise, demo key, a real enterprise's {uscc, name}).
 * 4. Stops the gateway child gracefully (it flushes its usage recorder), then checks
 *    that every 2xx the gateway answered, warm-up and sanity request included, has
 *    exactly one usage event in the database. Exits 1 on a mismatch.
 *
 * Runs are drained, not cut: at the deadline each connection finishes its in-flight
 * request and sends no more (autocannon's own `duration` stop destroys sockets with
 * requests in flight: the gateway would meter calls whose answers nobody read, and
 * the 2xx/event comparison could not be exact). Throughput counts only responses
 * received within the window; latency percentiles are from every 2xx of the run.
 */
import autocannon from 'autocannon'
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { asc, count, eq } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { plans, subscriptions } from '#db/schema/index.ts'
import { seedCity } from '#db/seed/seed-city.ts'
import { seedPlatform } from '#db/seed/seed-platform.ts'
import { cityEnterprises, usageEvents } from '#db/schema/index.ts'
import type { TargetMessage } from './target-protocol.ts'

const PATH = '/api/v1/verifications/enterprise'
const EXPECTED_BODY = JSON.stringify({ match: true })
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
  },
  strict: true,
})
const durationS = positive('duration', args.duration!)
const connections = Math.round(positive('connections', args.connections!))
const warmupS = Number(args.warmup)
if (!Number.isFinite(warmupS) || warmupS < 0) fail('--warmup must be a number ≥ 0')

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
  url: string
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
    url: `http://127.0.0.1:${ready.port}${PATH}`,
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
  url: string,
  body: string,
  headers: Record<string, string>,
  seconds: number,
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
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        connections,
        // A safety net only: the drain below ends the run at `seconds`.
        duration: seconds + 30,
        expectBody: EXPECTED_BODY,
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
async function sanityCheck(target: Target, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const text = await res.text()
  if (res.status !== 200 || text !== EXPECTED_BODY) {
    throw new Error(`${target.name} sanity request: expected 200 ${EXPECTED_BODY}, got ${res.status} ${text}`)
  }
  return 1
}

async function measure(target: Target, body: string, headers: Record<string, string>) {
  const sanity2xx = await sanityCheck(target, body, headers)
  let warmup: RunResult | null = null
  if (warmupS > 0) {
    progress(`${target.name}: warm-up ${warmupS} s × ${connections} connections`)
    warmup = await runLoad(`${target.name} warm-up`, target.url, body, headers, warmupS)
  }
  progress(`${target.name}: measuring ${durationS} s × ${connections} connections (load average ${loadAverage()})`)
  // CPU use over the measured window only: the target is asked at its start and at its end.
  let before: Promise<{ cpuMs: number; atMs: number }> | undefined
  let after: Promise<{ cpuMs: number; atMs: number }> | undefined
  let ownBefore: NodeJS.CpuUsage | undefined
  let own: NodeJS.CpuUsage | undefined
  let ownWallMs = 0
  const main = await runLoad(target.name, target.url, body, headers, durationS, {
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
  const answeredInWindow = main.requestsPerSec * durationS
  const cpu = {
    /** Share of one core the target used over the measured window. */
    targetCorePct: round((targetCpuMs / (a.atMs - b.atMs)) * 100, 0),
    /** The target's CPU time per request answered in the window, in µs. */
    targetUsPerRequest: round((targetCpuMs * 1000) / Math.max(1, answeredInWindow), 1),
    /** The load generator's (this process's) share of one core over the window. */
    loadGeneratorCorePct: round(((own!.user + own!.system) / 1000 / ownWallMs) * 100, 0),
  }
  return { sanity2xx, warmup, main, cpu }
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

// ---------------------------------------------------------------- main

const loadAverageAtStart = loadAverage()
const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-'))
const dbUrl = `file:${join(dir, 'bench.db')}`
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
  const [{ n: eventsBefore }] = (await database.db.select({ n: count() }).from(usageEvents)) as [{ n: number }]
  database.close()
  progress(`setup (migrate + seed small + seedPlatform) ${Math.round(setupMs)} ms; ${seeded['city_enterprises']} enterprises`)

  const body = JSON.stringify({ uscc: enterprise.uscc, name: enterprise.name })
  const headers = { authorization: `Bearer ${demoApiKey}` }

  progress('starting bare node:http target')
  const bareTarget = await startTarget('bare', './bare-target.ts', [])
  const bare = await measure(bareTarget, body, headers)
  await bareTarget.stop()

  progress('starting gateway target')
  const profileArgv = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : []
  const gatewayTarget = await startTarget('gateway', './gateway-target.ts', [dbUrl], profileArgv)
  const gateway = await measure(gatewayTarget, body, headers)
  progress('stopping gateway target (flushing usage events)')
  const stopped = await gatewayTarget.stop()

  const after = await openDatabase(dbUrl)
  const [{ n: eventsAfter }] = (await after.db.select({ n: count() }).from(usageEvents)) as [{ n: number }]
  after.close()

  const gateway2xx = gateway.sanity2xx + (gateway.warmup?.status2xx ?? 0) + gateway.main.status2xx
  const usageEventsCommitted = eventsAfter - eventsBefore
  const meteringEqual = gateway2xx === usageEventsCommitted
  const ratio = gateway.main.requestsPerSec / bare.main.requestsPerSec
  const targetMet = ratio >= TARGET_RATIO && gateway.main.latencyMs.p99 <= TARGET_P99_MS
  const problems = (r: RunResult | null) =>
    r ? { non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, mismatches: r.mismatches, statusCodes: r.statusCodes } : null

  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadAverageAtStart,
    },
    options: { durationS, warmupS, connections },
    setupMs: Math.round(setupMs),
    request: { method: 'POST', path: PATH, body: { uscc: enterprise.uscc, name: enterprise.name } },
    bare: {
      requestsPerSec: round(bare.main.requestsPerSec, 0),
      latencyMs: bare.main.latencyMs,
      cpu: bare.cpu,
      ...problems(bare.main),
    },
    gateway: {
      requestsPerSec: round(gateway.main.requestsPerSec, 0),
      latencyMs: gateway.main.latencyMs,
      cpu: gateway.cpu,
      ...problems(gateway.main),
    },
    ratio: round(ratio, 3),
    target: { ratioAtLeast: TARGET_RATIO, p99AtMostMs: TARGET_P99_MS, met: targetMet },
    metering: {
      gateway2xx,
      breakdown: { sanity: gateway.sanity2xx, warmup: gateway.warmup?.status2xx ?? 0, measured: gateway.main.status2xx },
      usageEvents: usageEventsCommitted,
      recorderCommitted: stopped.committedEvents,
      equal: meteringEqual,
    },
    warmup: { bare: problems(bare.warmup), gateway: problems(gateway.warmup) },
    gatewayInternalErrors: stopped.internalErrors,
    ...(args.profile ? { cpuProfileDir: args.profile } : {}),
  }

  if (args.json) {
    process.stdout.write(JSON.stringify(report) + '\n')
  } else {
    printReport(report, bare.main, gateway.main)
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

function printReport(report: any, bare: RunResult, gateway: RunResult) {
  const out = (line = '') => console.log(line)
  const n = (x: number) => Math.round(x).toLocaleString('en-US')
  const ms = (x: number) => x.toFixed(2).padStart(8)
  const issues = (r: RunResult) => {
    const parts = [`non-2xx ${r.non2xx}`, `errors ${r.errors}`, `timeouts ${r.timeouts}`, `mismatches ${r.mismatches}`]
    const codes = Object.entries(r.statusCodes).filter(([c]) => !c.startsWith('2'))
    if (codes.length) parts.push(`codes ${codes.map(([c, k]) => `${c}×${k}`).join(' ')}`)
    return parts.join(', ')
  }
  out()
  out(`Gateway bench  ${report.date}`)
  out(
    `machine        ${report.machine.cpus} CPUs, ${report.machine.cpuModel}, node ${report.machine.node}, ${report.machine.platform}`,
  )
  out(`load           ${connections} connections × ${durationS} s (after ${warmupS} s warm-up), POST ${PATH}`)
  out(`setup          ${report.setupMs} ms (fresh temp SQLite: migrate + seed small + seedPlatform)`)
  out()
  out('target     req/s      p50 ms   p90 ms   p99 ms   max ms   target CPU   µs CPU/req   load-gen CPU')
  for (const [name, r, cpu] of [
    ['bare', bare, report.bare.cpu],
    ['gateway', gateway, report.gateway.cpu],
  ] as const) {
    out(
      `${name.padEnd(8)} ${n(r.requestsPerSec).padStart(7)}  ${ms(r.latencyMs.p50)} ${ms(r.latencyMs.p90)} ${ms(r.latencyMs.p99)} ${ms(r.latencyMs.max)}` +
        `   ${String(cpu.targetCorePct).padStart(7)} %   ${cpu.targetUsPerRequest.toFixed(1).padStart(10)}   ${String(cpu.loadGeneratorCorePct).padStart(9)} %`,
    )
  }
  out(
    `               (CPU columns: share of one core over the measured window; a target well under 100 % was not the bottleneck, or the machine was busy: load average at start ${report.machine.loadAverageAtStart})`,
  )
  out()
  out(`ratio          gateway/bare = ${report.ratio.toFixed(3)}×`)
  out(
    `target         ≥ ${TARGET_RATIO}× bare and p99 ≤ ${TARGET_P99_MS} ms: ${report.target.met ? 'MET' : 'NOT MET'}` +
      ` (ratio ${report.ratio >= TARGET_RATIO ? 'ok' : 'below'}, p99 ${gateway.latencyMs.p99 <= TARGET_P99_MS ? 'ok' : 'above'})`,
  )
  const m = report.metering
  out(
    `metering       gateway 2xx ${m.gateway2xx} (sanity ${m.breakdown.sanity} + warm-up ${m.breakdown.warmup} + measured ${m.breakdown.measured})` +
      ` vs usage_events ${m.usageEvents}: ${m.equal ? 'EQUAL' : 'MISMATCH'}`,
  )
  out(`problems       bare: ${issues(bare)}`)
  out(`               gateway: ${issues(gateway)}; internal errors ${report.gatewayInternalErrors}`)
  for (const [name, w] of Object.entries(report.warmup) as [string, any][]) {
    if (w && (w.non2xx || w.errors || w.timeouts || w.mismatches)) {
      out(
        `               ${name} warm-up: non-2xx ${w.non2xx}, errors ${w.errors}, timeouts ${w.timeouts}, mismatches ${w.mismatches}`,
      )
    }
  }
  if (report.cpuProfileDir) out(`cpu profile    ${report.cpuProfileDir}`)
}
