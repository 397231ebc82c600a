/**
 * How long the platform is away after its serving process dies under `npm start` (docs/BENCHMARKS.md, "Restart
 * under the supervisor"; ADR 0013).
 *
 *   npx tsx bench/restart.ts [--rounds <n>] [--cold] [--json]
 *
 * Builds a fresh temp database (migrate, seed city `small`, seedPlatform), starts `server/supervisor.ts` on it on a
 * fixed free port (as in production: the port stays the same across restarts), waits until it answers, and then each
 * round SIGKILLs the serving worker and polls a metered call every 10 ms until one is answered 200: the figure is
 * from the kill to that answer. Rounds are 12 s apart (past the supervisor's 10 s "stable" mark), so each one is a
 * first restart, without back-off. `--cold` kills the standby too before each round, to show the cold start that the
 * standby saves. Needs a `remix build` (build/index.js), as `npm start`.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { cityEnterprises } from '#db/schema/index.ts'
import { seedCity } from '#seed/seed-city.ts'
import { seedPlatform } from '#seed/seed-platform.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    cold: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  strict: true,
})
const rounds = Number(args.rounds)
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer')
const progress = (line: string) => console.error(`[restart] ${line}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

if (!existsSync(join(ROOT, 'build', 'index.js'))) throw new Error('build/index.js is missing: run `npx remix build` first')
const dir = mkdtempSync(join(tmpdir(), 'sdp-restart-'))
const dbUrl = `file:${join(dir, 'restart.db')}`
const database = await openDatabase(dbUrl)
await migrateDatabase(database.db)
await seedCity(database.db, { scale: 'small' })
const { demoApiKey } = await seedPlatform(database.db)
const [enterprise] = await database.db
  .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
  .from(cityEnterprises)
  .limit(1)
database.close()
const body = JSON.stringify(enterprise)

const port = await freePort()
const url = `http://127.0.0.1:${port}/api/v1/verifications/enterprise`
const child = spawn(process.execPath, ['--import', 'tsx', 'server/supervisor.ts'], {
  cwd: ROOT,
  env: { ...process.env, NODE_ENV: 'production', DEMO_MODE: 'true', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: dbUrl },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let out = ''
child.stdout.on('data', (d: Buffer) => (out += d.toString()))
child.stderr.on('data', (d: Buffer) => (out += d.toString()))
const pidsOf = (role: RegExp) => [...out.matchAll(role)].map((m) => Number(m[1]))

async function answers(): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
      body,
    })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

/** Polls every 10 ms; gives up after 60 s. */
async function untilAnswered(): Promise<void> {
  const deadline = performance.now() + 60_000
  while (!(await answers())) {
    if (performance.now() > deadline) throw new Error(`no answer within 60 s:\n${out}`)
    await sleep(10)
  }
}

const results: { round: number; killToAnswerMs: number; supervisorListeningMs: number | null }[] = []
try {
  progress(`supervisor on port ${port}, database ${dbUrl}`)
  await untilAnswered()
  for (let round = 1; round <= rounds; round++) {
    // Past the stable mark, and the standby (started when the serving worker listened) has had time to load.
    await sleep(12_000)
    const serving = pidsOf(/\[supervisor\] worker (\d+) serves/g).at(-1)!
    if (args.cold) {
      const standby = pidsOf(/\[supervisor\] worker (\d+) started as standby/g).at(-1)
      if (standby) process.kill(standby, 'SIGKILL')
      await sleep(200)
    }
    const before = out.length
    const killedAt = performance.now()
    process.kill(serving, 'SIGKILL')
    await untilAnswered()
    const killToAnswerMs = Math.round(performance.now() - killedAt)
    const logged = out.slice(before).match(/listening (\d+) ms after worker/)
    results.push({ round, killToAnswerMs, supervisorListeningMs: logged ? Number(logged[1]) : null })
    progress(`round ${round}: answered ${killToAnswerMs} ms after the kill (load average ${loadavg()[0]!.toFixed(2)})`)
  }
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(dir, { recursive: true, force: true })
}

const sorted = results.map((r) => r.killToAnswerMs).sort((a, b) => a - b)
const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg() },
  mode: args.cold ? 'cold (standby killed first)' : 'standby promoted',
  rounds: results,
  minMs: sorted[0],
  medianMs: sorted[Math.floor(sorted.length / 2)],
  maxMs: sorted.at(-1),
}
if (args.json) console.log(JSON.stringify(summary))
else {
  console.log(`\nRestart under the supervisor  ${summary.date}  (${summary.mode})`)
  console.log(`machine  ${summary.machine.cpus} CPUs, ${summary.machine.cpuModel}, node ${summary.machine.node}`)
  for (const r of results)
    console.log(
      `round ${r.round}: kill → first 200 answer ${r.killToAnswerMs} ms (supervisor saw it listening after ${r.supervisorListeningMs ?? '?'} ms)`,
    )
  console.log(`min ${summary.minMs} ms, median ${summary.medianMs} ms, max ${summary.maxMs} ms`)
}
