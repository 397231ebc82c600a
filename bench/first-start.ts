/**
 * First-start bench (docs/BENCHMARKS-ui.md, issue 16): how long `npm start` takes on a fresh checkout's empty data
 * directory, where the demo install seeds the synthetic city and the demo platform with its year of history.
 *
 *   npm run bench:first-start -- [--runs <n>] [--scale city|small] [--no-build] [--json]
 *
 * 1. `remix build`, timed, as `npm start` runs it first (skipped with --no-build: then a build must exist).
 * 2. Per run: a fresh temporary data directory; `tsx server/supervisor.ts` exactly as `npm start` starts it
 *    (NODE_ENV=production, demo mode, SEED_SCALE as given, default `city`), in its own process group; the time from
 *    spawning it to its first answer of `GET /catalog` (200), and to its "listening" line; the seed's own lines
 *    (city rows and seconds, platform and history seconds) are picked from its output. Then the whole group is
 *    stopped (SIGTERM, SIGKILL after 30 s) and the directory removed.
 * 3. Report: per run and the median; the machine and `uptime` at start and end. Target (issue 16): ≤ 30 s.
 */
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    scale: { type: 'string', default: 'city' },
    'no-build': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  strict: true,
})
const runs = Number(args.runs)
if (!Number.isSafeInteger(runs) || runs < 1) fail('--runs must be a positive whole number')
if (args.scale !== 'city' && args.scale !== 'small') fail('--scale must be city or small')

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}
const progress = (line: string) => console.error(`[bench] ${line}`)

const root = fileURLToPath(new URL('..', import.meta.url))
const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs')
const remixCli = join(root, 'node_modules', '@remix-run', 'dev', 'dist', 'cli.js')
const START_TIMEOUT_MS = 600_000

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim()
  } catch {
    return `load average: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

interface Run {
  /** Spawn to the first 200 of GET /catalog. */
  seconds: number
  /** Spawn to the "listening" line. */
  listeningSeconds: number
  citySeconds: number | null
  cityRows: number | null
  platformSeconds: number | null
  historyCalls: number | null
}

async function firstStart(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'sdp-bench-first-start-'))
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [tsxCli, 'server/supervisor.ts'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DEMO_MODE: 'true',
      SEED_SCALE: args.scale,
      PORT: String(port),
      DATABASE_URL: `file:${join(dir, 'platform.db')}`,
    },
  })
  let output = ''
  let listeningAt: number | null = null
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8')
    if (listeningAt === null && /listening on http/.test(output)) listeningAt = performance.now()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  let exited: number | null | undefined
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code
      resolve()
    }),
  )
  try {
    let answeredAt: number | null = null
    while (answeredAt === null) {
      if (exited !== undefined) throw new Error(`the server exited (code ${exited}) before answering:\n${output.slice(-2000)}`)
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`no answer in ${START_TIMEOUT_MS / 1000} s`)
      if (listeningAt !== null) {
        const res = await fetch(`http://127.0.0.1:${port}/catalog`).catch(() => null)
        await res?.arrayBuffer()
        if (res?.status === 200) answeredAt = performance.now()
      }
      if (answeredAt === null) await new Promise((r) => setTimeout(r, 100))
    }
    const number = (re: RegExp) => {
      const m = re.exec(output)
      return m ? Number(m[1]!.replace(/,/g, '')) : null
    }
    return {
      seconds: (answeredAt - started) / 1000,
      listeningSeconds: ((listeningAt ?? answeredAt) - started) / 1000,
      cityRows: number(/Seeded ([\d,]+) rows in/),
      citySeconds: number(/Seeded [\d,]+ rows in ([\d.]+) s/),
      platformSeconds: number(/year of history in ([\d.]+) s/),
      historyCalls: number(/usage_events: ([\d,]+) calls/),
    }
  } finally {
    if (exited === undefined) {
      process.kill(-child.pid!, 'SIGTERM')
      const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000)
      await exit
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

const uptimeStart = uptime()
let buildSeconds: number | null = null
if (!args['no-build']) {
  progress('remix build')
  const t = performance.now()
  execFileSync(process.execPath, [remixCli, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  buildSeconds = (performance.now() - t) / 1000
}
const results: Run[] = []
for (let i = 0; i < runs; i++) {
  progress(`first start ${i + 1} of ${runs} (scale ${args.scale})`)
  results.push(await firstStart())
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const startSeconds = median(results.map((r) => r.seconds))
const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  load: { start: uptimeStart, end: uptime() },
  scale: args.scale,
  buildSeconds,
  startSeconds,
  totalSeconds: startSeconds + (buildSeconds ?? 0),
  targetSeconds: 30,
  runs: results,
}
if (args.json) console.log(JSON.stringify(report, null, 2))
else {
  const f = (n: number | null) => (n === null ? '—' : n.toFixed(1))
  console.log(`first start on an empty data directory (scale ${args.scale}), ${runs} run(s)`)
  console.log('run   listening s   answering s   city s   city rows   platform+history s   history calls')
  results.forEach((r, i) =>
    console.log(
      `${String(i + 1).padEnd(5)} ${f(r.listeningSeconds).padStart(11)} ${f(r.seconds).padStart(13)} ${f(r.citySeconds).padStart(8)} ${(r.cityRows?.toLocaleString('en') ?? '—').padStart(11)} ${f(r.platformSeconds).padStart(20)} ${(r.historyCalls?.toLocaleString('en') ?? '—').padStart(15)}`,
    ),
  )
  console.log(
    `remix build ${f(buildSeconds)} s; first start (median) ${f(startSeconds)} s; npm start total ${f(report.totalSeconds)} s; target ≤ 30 s: ${report.totalSeconds <= 30 ? 'met' : 'not met'}`,
  )
  console.log(
    `machine: ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGb} GB, Node ${report.machine.node}`,
  )
  console.log(`load: ${report.load.start} → ${report.load.end}`)
}
