/**
 * Intake bench: the metered API's latency while a big dataset file uploads, and the platform's peak memory doing it
 * (docs/BENCHMARKS.md; issue 15: 10,000,000 rows under 300 MB).
 *
 *   npm run bench:intake -- [--json] [--rows <n>] [--idle <s>] [--callers <n>] [--keep-db]
 *
 * 1. Builds a fresh temp SQLite database (migrate, seed city `small`, seedPlatform), moves the subscriptions to a plan
 *    whose limits are too high to trip, and registers a dataset (stored in dataset_records, the fields the tests use:
 *    id_card, name, age, …) authorized for `file` delivery.
 * 2. Forks the whole platform (bench/platform-target.ts: Remix UI + gateway in one process, as `npm start` serves them)
 *    so the load generator never shares its event loop, and signs in as the operator over HTTP.
 * 3. Writes the file to the temp directory, streaming: `--rows` rows (default 10,000,000) of 20 bytes of CSV: 200 MB
 *    (the upload limit is 200 MiB: 10,485,000 rows at most).
 * 4. Idle: `--callers` closed-loop callers (default 4) of POST /api/v1/verifications/enterprise with the demo key for
 *    `--idle` seconds (default 10); every latency is kept.
 * 5. Upload: the same callers run while the file streams from disk to the operator's upload route (64 KiB writes,
 *    with backpressure), until its answer. The load must succeed with every row, or the bench exits 1.
 * 6. Report: per phase, calls, p50/p90/p99/max latency and the platform's longest event-loop stall; the ratios
 *    upload/idle; the upload's time and rows/s; the platform process's resident memory before the upload and its peak
 *    during it (VmHWM, reset at the upload's start; the whole process: UI, gateway, intake worker thread, SQLite);
 *    the machine and its load average at start and end.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
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
import { CSRF_HEADER } from '#platform/csrf/csrf-token.ts'
import type { PlatformParentMessage, PlatformTargetMessage } from './platform-target.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rows: { type: 'string', default: '10000000' },
    idle: { type: 'string', default: '10' },
    callers: { type: 'string', default: '4' },
    'keep-db': { type: 'boolean', default: false },
    'no-cli': { type: 'boolean', default: false },
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
const filePath = join(dir, 'bench.csv')
{
  // Written in 1 MB pieces with backpressure: the bench holds no more of the file than the loader may.
  const out = createWriteStream(filePath)
  let piece = 'id_card,name,age\n'
  for (let i = 1; i <= rows; i++) {
    piece += `${String(i).padStart(12, '0')},${NAMES[i % NAMES.length]},${10 + (i % 90)}\n`
    if (piece.length >= 1 << 20 || i === rows) {
      if (!out.write(piece)) await once(out, 'drain')
      piece = ''
    }
  }
  out.end()
  await once(out, 'finish')
}
const fileBytes = statSync(filePath).size
progress(`file: ${rows.toLocaleString('en')} rows, ${fileBytes.toLocaleString('en')} bytes (${filePath})`)

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

// Signed in through the form as a browser would: the cookies, and the CSRF token its pages carry (ADR 0017), sent
// again with the upload (as test/support/ui-session.ts does; that module needs vitest).
const session = await signInOperator(credentials.passwords.operator!)

async function signInOperator(password: string): Promise<{ cookie: string; csrfToken: string }> {
  const jar = new Map<string, string>()
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const keep = (res: Response) => {
    for (const set of res.headers.getSetCookie()) {
      const [name, ...value] = set.split(';')[0]!.split('=')
      jar.set(name!, value.join('='))
    }
  }
  const tokenOf = async (res: Response) => /name="_csrf" value="([A-Za-z0-9_-]{43})"/.exec(await res.text())?.[1] ?? ''
  const page = await fetch(`${origin}/login`, { redirect: 'manual' })
  keep(page)
  const login = await fetch(`${origin}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'operator', password, _csrf: await tokenOf(page) }),
    redirect: 'manual',
    headers: { cookie: cookie(), origin, 'sec-fetch-site': 'same-origin' },
  })
  await login.arrayBuffer()
  keep(login)
  if (login.status !== 302 || !jar.has('sdp_session')) throw new Error(`sign-in as operator failed: ${login.status}`)
  const home = await fetch(new URL(login.headers.get('location') ?? '/', origin), { headers: { cookie: cookie() } })
  keep(home)
  const csrfToken = await tokenOf(home)
  if (!csrfToken) throw new Error('no CSRF token on the operator home page')
  return { cookie: cookie(), csrfToken }
}

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

async function memoryOfTarget(reset: boolean) {
  tellTarget({ type: 'memory', reset })
  const { rssMb, peakRssMb, heapUsedMb, isPeakReset } = await next('memory')
  return { rssMb, peakRssMb, heapUsedMb, isPeakReset }
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
        cookie: session.cookie,
        [CSRF_HEADER]: session.csrfToken,
        origin,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/octet-stream',
        'content-length': String(fileBytes),
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
      for await (const chunk of createReadStream(filePath, { highWaterMark: 64 * 1024 })) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
      }
      req.end()
    })().catch(reject)
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

const memoryBefore = await memoryOfTarget(true)
progress(
  `upload: ${fileBytes.toLocaleString('en')} bytes to ${dataset.code}, ${callers} callers meanwhile; platform RSS ${Math.round(memoryBefore.rssMb)} MB`,
)
let isUploaded = false
const uploadStarted = performance.now()
// A connection the server cut (its 10-minute request timeout, server/create-platform-server.ts) is reported, not thrown.
const uploaded = upload()
  .catch((error: unknown) => ({ status: 0, body: `upload failed: ${String(error)}`, ms: performance.now() - uploadStarted }))
  .finally(() => (isUploaded = true))
const uploadCalls = await callWhile(() => isUploaded)
const answer = await uploaded
const uploadLoop = await loopStall()
const memoryAfter = await memoryOfTarget(false)
const outcome = (() => {
  try {
    return (JSON.parse(answer.body) as { outcome?: { state: string; rowsLoaded: number; encoding?: string } }).outcome
  } catch {
    return undefined
  }
})()
const isLoaded = answer.status === 200 && outcome?.state === 'succeeded' && outcome.rowsLoaded === rows

tellTarget({ type: 'stop' })
await next('stopped')

/**
 * The loader alone: the same file loaded again (replacing the first load) by `platform datasets:load --file` in a
 * process of its own, nothing else running in it; its peak resident set (getrusage maxRSS, all threads) printed at exit.
 */
async function loadThroughCli(): Promise<{
  seconds: number
  peakRssMb: number | null
  rowsLoaded: number | null
  code: number | null
}> {
  const started = performance.now()
  const printPeak = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxRSS_KB '+process.resourceUsage().maxRSS+'\\n'))`
  const cli = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      printPeak,
      fileURLToPath(new URL('../cli/platform.ts', import.meta.url)),
      'datasets:load',
      '--dataset',
      dataset.code,
      '--file',
      filePath,
      '--json',
    ],
    { env: { ...process.env, DATABASE_URL: dbUrl, NODE_ENV: 'development' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  cli.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  cli.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')))
  const [code] = (await once(cli, 'exit')) as [number | null]
  const peak = /maxRSS_KB (\d+)/.exec(err)?.[1]
  let rowsLoaded: number | null = null
  try {
    rowsLoaded = (JSON.parse(out) as { rowsLoaded?: number }).rowsLoaded ?? null
  } catch {
    progress(`the CLI load printed no JSON (exit ${code}): ${(out + err).slice(-500)}`)
  }
  return { seconds: (performance.now() - started) / 1000, peakRssMb: peak ? Number(peak) / 1024 : null, rowsLoaded, code }
}
let cliLoad: Awaited<ReturnType<typeof loadThroughCli>> | null = null
if (!args['no-cli'] && isLoaded) {
  progress(`the loader alone: platform datasets:load --file, ${rows.toLocaleString('en')} rows`)
  cliLoad = await loadThroughCli()
}

if (!args['keep-db']) rmSync(dir, { recursive: true, force: true })
else progress(`database kept: ${dbUrl}`)

// ---------------------------------------------------------------- report

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
  file: { rows, bytes: fileBytes },
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
  memory: {
    /** The platform process (UI + gateway + intake worker + SQLite) just before the upload. */
    rssBeforeMb: memoryBefore.rssMb,
    /** Its peak resident set during the upload (VmHWM reset at the upload's start); null where it cannot be read. */
    peakRssMb: memoryBefore.isPeakReset ? memoryAfter.peakRssMb : null,
    rssAfterMb: memoryAfter.rssMb,
    heapUsedAfterMb: memoryAfter.heapUsedMb,
    targetMb: 300,
  },
  /** The same file through `platform datasets:load --file`, alone in its process (null with --no-cli). */
  cli: cliLoad && { ...cliLoad, rowsPerSec: rows / cliLoad.seconds },
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
  out(`file           ${rows.toLocaleString('en')} rows, ${fileBytes.toLocaleString('en')} bytes of CSV`)
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
  if (cliLoad) {
    const c = cliLoad
    out(
      `loader alone   platform datasets:load --file: ${c.rowsLoaded?.toLocaleString('en') ?? '?'} rows in ${f(c.seconds)} s (${Math.round(rows / c.seconds).toLocaleString('en')} rows/s, process start to exit), peak RSS ${c.peakRssMb === null ? '?' : `${f(c.peakRssMb)} MB`}; target < 300 MB: ${c.peakRssMb === null ? '?' : c.peakRssMb < 300 ? 'met' : 'not met'}`,
    )
  }
  const m = report.memory
  out(
    `memory         platform RSS ${f(m.rssBeforeMb)} MB before the upload, peak ${m.peakRssMb === null ? '— (VmHWM not resettable here)' : `${f(m.peakRssMb)} MB`} during it, ${f(m.rssAfterMb)} MB after; target peak < ${m.targetMb} MB: ${m.peakRssMb === null ? '?' : m.peakRssMb < m.targetMb ? 'met' : 'not met'}`,
  )
}
if (cliLoad && cliLoad.rowsLoaded !== rows) {
  console.error(`the CLI load did not load every row: exit ${cliLoad.code}, ${cliLoad.rowsLoaded ?? '?'} rows`)
  process.exit(1)
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
