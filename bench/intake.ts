/**
 * Intake bench: the metered API's latency while a big dataset file uploads (docs/BENCHMARKS.md).
 *
 *   npm run bench:intake -- [--json] [--rows <n>] [--idle <s>] [--callers <n>] [--keep-db]
 *
 * 1. Builds a fresh temp SQLite database (migrate, seed city `small`, seedPlatform), moves the subscriptions to a plan
 *    whose limits are too high to trip, and registers a dataset (stored in dataset_records, the fields the tests use:
 *    id_card, name, age, …) authorized for `file` delivery.
 * 2. Forks the whole platform (bench/platform-target.ts: Remix UI + gateway in one process, as `npm start` serves them)
 *    so the load generator never shares its event loop, and signs in as the operator over HTTP.
 * 3. Builds the file in memory: `--rows` rows (default 1,000,000) of 20 bytes of CSV: 20 MB.
 * 4. Idle: `--callers` closed-loop callers (default 4) of POST /api/v1/verifications/enterprise with the demo key for
 *    `--idle` seconds (default 10); every latency is kept.
 * 5. Upload: the same callers run while the file streams to the operator's upload route (64 KiB writes, with
 *    backpressure), until its answer. The load must succeed with every row, or the bench exits 1.
 * 6. Report: per phase, calls, p50/p90/p99/max latency and the platform's longest event-loop stall; the ratios
 *    upload/idle; the upload's time and rows/s; the machine and its load average at start and end.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { execFileSync } from 'node:child_process'
import { cityEnterprises, plans, subscriptions } from '#db/schema/index.ts'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'
import { actorOf, authorizeThroughDemand, registerTestDataset } from '#test/integration/catalog-fixtures.ts'
import type { PlatformParentMessage, PlatformTargetMessage } from './platform-target.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rows: { type: 'string', default: '1000000' },
    idle: { type: 'string', default: '10' },
    callers: { type: 'string', default: '4' },
    'keep-db': { type: 'boolean', default: false },
  },
  strict: true,
})
const rows = positiveInt('rows', args.rows!)
const idleS = Number(args.idle)
const callers = positiveInt('callers', args.callers!)
if (!Number.isFinite(idleS) || idleS <= 0) fail('--idle must be a positive number')

function positiveInt(name: string, raw: string): number {
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n <= 0) fail(`--${name} must be a positive integer`)
  return n
}
function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

/** Progress goes to stderr, so that with --json stdout holds the one JSON object only. */
const progress = (line: string) => console.error(`[bench] ${line}`)

// ---------------------------------------------------------------- setup

const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-intake-'))
const dbUrl = `file:${join(dir, 'platform.db')}`
const loadStart = loadavg()
const uptimeStart = uptime()
const setupStarted = performance.now()
const database = await openDatabase(dbUrl)
await migrateDatabase(database.db)
await seedCity(database.db, { scale: 'small' })
const { demoApiKey, credentials } = await seedPlatform(database.db)
await database.db.insert(plans).values({
  code: 'bench',
  nameZh: '压测',
  nameEn: 'Benchmark',
  rateLimitPerMinute: 100_000_000,
  monthlyQuota: 1_000_000_000,
  distinctSubjectsPerDay: 1_000_000,
})
await database.db.update(subscriptions).set({ planCode: 'bench' })
const dataset = await registerTestDataset(database.db)
await authorizeThroughDemand(database.db, { datasetCode: dataset.code, granter: await actorOf(database.db, 'scjg') })
const [enterprise] = await database.db
  .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
  .from(cityEnterprises)
  .limit(1)
database.close()
progress(`setup ${Math.round(performance.now() - setupStarted)} ms; dataset ${dataset.code} (dataset_records)`)

const NAMES = ['Ann', 'Bob', 'Wei', 'Fan', 'Lei', 'Jun', 'Min', 'Yan']
const lines = ['id_card,name,age']
for (let i = 1; i <= rows; i++) lines.push(`${String(i).padStart(12, '0')},${NAMES[i % NAMES.length]},${10 + (i % 90)}`)
const file = Buffer.from(lines.join('\n') + '\n')
lines.length = 0
progress(`file: ${rows.toLocaleString('en')} rows, ${file.length.toLocaleString('en')} bytes`)

// ---------------------------------------------------------------- target

const child: ChildProcess = fork(fileURLToPath(new URL('./platform-target.ts', import.meta.url)), [dbUrl], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 2, 2, 'ipc'],
})
const inbox: PlatformTargetMessage[] = []
const waiters: (() => void)[] = []
child.on('message', (m: PlatformTargetMessage) => {
  inbox.push(m)
  waiters.splice(0).forEach((w) => w())
})
let exitCode: number | null | undefined
child.once('exit', (code) => {
  exitCode = code
  waiters.splice(0).forEach((w) => w())
})

async function next<T extends PlatformTargetMessage['type']>(type: T): Promise<Extract<PlatformTargetMessage, { type: T }>> {
  for (;;) {
    const error = inbox.find((m) => m.type === 'error')
    if (error?.type === 'error') throw new Error(`platform target failed:\n${error.message}`)
    const at = inbox.findIndex((m) => m.type === type)
    if (at >= 0) return inbox.splice(at, 1)[0] as Extract<PlatformTargetMessage, { type: T }>
    if (exitCode !== undefined) throw new Error(`platform target exited (code ${exitCode}) before '${type}'`)
    await new Promise<void>((resolve) => waiters.push(resolve))
  }
}
const tellTarget = (message: PlatformParentMessage) => child.send(message)

const { port } = await next('ready')
const origin = `http://127.0.0.1:${port}`
progress(`platform at ${origin}`)

const login = await fetch(`${origin}/login`, {
  method: 'POST',
  body: new URLSearchParams({ username: 'operator', password: credentials.passwords.operator! }),
  redirect: 'manual',
})
await login.arrayBuffer()
const cookie = login.headers
  .getSetCookie()
  .find((c) => c.startsWith('sdp_session='))
  ?.split(';')[0]
if (login.status !== 302 || !cookie) throw new Error(`sign-in as operator failed: ${login.status}`)

// ---------------------------------------------------------------- load

interface Call {
  ms: number
  status: number
}

async function call(): Promise<Call> {
  const started = performance.now()
  try {
    const res = await fetch(`${origin}/api/v1/verifications/enterprise`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(enterprise),
    })
    await res.arrayBuffer()
    return { ms: performance.now() - started, status: res.status }
  } catch {
    return { ms: performance.now() - started, status: 0 }
  }
}

/** `callers` closed loops, each sending its next call when the last is answered, until `isDone()`. */
async function callWhile(isDone: () => boolean): Promise<Call[]> {
  const calls: Call[] = []
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (!isDone()) calls.push(await call())
    }),
  )
  return calls
}

async function loopStall(): Promise<{ maxMs: number; p99Ms: number; meanMs: number }> {
  tellTarget({ type: 'loop' })
  const { maxMs, p99Ms, meanMs } = await next('loop')
  return { maxMs, p99Ms, meanMs }
}

function upload(): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}/operator/datasets/${dataset.code}/upload`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/octet-stream',
        'content-length': String(file.length),
        'x-file-name': 'bench.csv',
      },
    })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
      )
    })
    req.on('error', reject)
    void (async () => {
      for (let at = 0; at < file.length; at += 64 * 1024) {
        if (!req.write(file.subarray(at, at + 64 * 1024))) await new Promise((r) => req.once('drain', r))
      }
      req.end()
    })()
  })
}

// Warm-up: the first calls pay for caches and JIT.
await callWhile(
  (
    (n) => () =>
      n-- <= 0
  )(200),
)
await loopStall()

progress(`idle: ${callers} callers for ${idleS} s`)
const idleUntil = performance.now() + idleS * 1000
const idleCalls = await callWhile(() => performance.now() >= idleUntil)
const idleLoop = await loopStall()

progress(`upload: ${file.length.toLocaleString('en')} bytes to ${dataset.code}, ${callers} callers meanwhile`)
let isUploaded = false
const uploaded = upload().finally(() => (isUploaded = true))
const uploadCalls = await callWhile(() => isUploaded)
const answer = await uploaded
const uploadLoop = await loopStall()

tellTarget({ type: 'stop' })
await next('stopped')
if (!args['keep-db']) rmSync(dir, { recursive: true, force: true })
else progress(`database kept: ${dbUrl}`)

// ---------------------------------------------------------------- report

const outcome = (() => {
  try {
    return (JSON.parse(answer.body) as { outcome?: { state: string; rowsLoaded: number; encoding?: string } }).outcome
  } catch {
    return undefined
  }
})()
const isLoaded = answer.status === 200 && outcome?.state === 'succeeded' && outcome.rowsLoaded === rows

function stats(calls: Call[]) {
  const ms = calls.filter((c) => c.status === 200).map((c) => c.ms)
  ms.sort((a, b) => a - b)
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN
  return {
    calls: calls.length,
    non200: calls.filter((c) => c.status !== 200).length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: ms[ms.length - 1] ?? NaN,
  }
}
const idle = stats(idleCalls)
const during = stats(uploadCalls)
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  load: { start: { loadavg: loadStart, uptime: uptimeStart }, end: { loadavg: loadavg(), uptime: uptime() } },
  file: { rows, bytes: file.length },
  callers,
  idle: { ...idle, seconds: idleS, loopStallMaxMs: idleLoop.maxMs },
  upload: {
    ...during,
    seconds: answer.ms / 1000,
    rowsPerSec: rows / (answer.ms / 1000),
    status: answer.status,
    state: outcome?.state ?? null,
    rowsLoaded: outcome?.rowsLoaded ?? null,
    loopStallMaxMs: uploadLoop.maxMs,
  },
  ratio: { p50: during.p50 / idle.p50, p99: during.p99 / idle.p99 },
  loaded: isLoaded,
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '—')
if (args.json) console.log(JSON.stringify(report, null, 2))
else {
  const out = (line: string) => console.log(line)
  out(`date           ${report.date}`)
  out(`machine        ${report.machine.cpus} vCPU, ${report.machine.model}, Node ${report.machine.node}`)
  out(`load start     ${uptimeStart}`)
  out(`load end       ${report.load.end.uptime}`)
  out(`file           ${rows.toLocaleString('en')} rows, ${file.length.toLocaleString('en')} bytes of CSV`)
  out(`callers        ${callers} closed-loop callers of POST /api/v1/verifications/enterprise`)
  out('')
  out('phase    calls  non-200   p50 ms   p90 ms   p99 ms   max ms   longest loop stall ms')
  for (const [name, s, loop] of [
    ['idle', idle, idleLoop.maxMs],
    ['upload', during, uploadLoop.maxMs],
  ] as const) {
    out(
      `${name.padEnd(8)} ${String(s.calls).padStart(5)} ${String(s.non200).padStart(8)} ${f(s.p50).padStart(8)} ${f(s.p90).padStart(8)} ${f(s.p99).padStart(8)} ${f(s.max).padStart(8)} ${f(loop).padStart(12)}`,
    )
  }
  out('')
  out(`ratio upload/idle   p50 ${f(report.ratio.p50)}×   p99 ${f(report.ratio.p99)}×`)
  out(
    `upload         ${answer.status} ${outcome?.state ?? '?'}, ${outcome?.rowsLoaded?.toLocaleString('en') ?? '?'} rows in ${f(answer.ms / 1000)} s (${Math.round(report.upload.rowsPerSec).toLocaleString('en')} rows/s, first byte sent to answer)`,
  )
}
if (!isLoaded) {
  console.error(`the upload did not load every row: ${answer.status} ${answer.body.slice(0, 300)}`)
  process.exit(1)
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim()
  } catch {
    return `load average: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`
  }
}
