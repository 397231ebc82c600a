/**
 * Bench target: the whole platform (createPlatformServer: the Remix UI and the metered gateway in one process, as
 * `npm start` serves them) over a given database, in its own process. Usage: tsx bench/platform-target.ts <db-url>
 * Forked by bench/intake.ts. It reports its port, then, on request, the longest event-loop stall since the last
 * request (perf_hooks.monitorEventLoopDelay), and its memory: resident set now and at its peak since the last reset
 * (`/proc/self/status` VmRSS and VmHWM: the whole process, the intake worker thread and SQLite included; the peak is
 * reset by writing 5 to `/proc/self/clear_refs`). On `{type:'stop'}` / SIGTERM it closes the server (flushing
 * metering) and exits 0. Needs `remix build` (build/index.js).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { openDatabase } from '#db/client.ts'
import { readEnv } from '#platform/env.ts'
import { DEV_DATA_ENCRYPTION_KEY, dataKeyringFromEnv, useDataKeyring } from '#platform/crypto/data-keyring.ts'
import { createPlatformServer } from '../server/create-platform-server.ts'

export type PlatformTargetMessage =
  | { type: 'ready'; port: number }
  /** Event-loop delay since the previous `loop` request, in ms. */
  | { type: 'loop'; maxMs: number; p99Ms: number; meanMs: number }
  /** Resident memory in MiB now and at its peak since the last `memory` request with `reset` (null: not on Linux). */
  | { type: 'memory'; rssMb: number; peakRssMb: number | null; heapUsedMb: number; isPeakReset: boolean }
  | { type: 'stopped' }
  | { type: 'error'; message: string }

export type PlatformParentMessage = { type: 'loop' } | { type: 'memory'; reset?: boolean } | { type: 'stop' }

/** VmRSS/VmHWM of this process in MiB (Linux), else the RSS Node reports and no peak. */
function memory(): { rssMb: number; peakRssMb: number | null } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 }
  } catch {
    return { rssMb: process.memoryUsage().rss / 2 ** 20, peakRssMb: null }
  }
}

/** Resets the peak (VmHWM) to the current resident set; false where the kernel does not allow it. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

const send = (message: PlatformTargetMessage) =>
  new Promise<void>((resolve) =>
    process.send && process.connected ? process.send(message, undefined, {}, () => resolve()) : resolve(),
  )

const url = process.argv[2]
if (!url) {
  console.error('usage: tsx bench/platform-target.ts <db-url>')
  process.exit(2)
}

const database = await openDatabase(url)
const env = readEnv({
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: url,
  // The seeded demo accounts as they are (demo mode: no second factor to enrol before the operator may upload).
  DEMO_MODE: 'true',
  SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
  SUBJECT_HASH_KEY: 'bench-subject-hash-key-0123456789abcdef',
  // A key of its own first (production refuses the development key), and the development key the bench seeded with.
  DATA_ENCRYPTION_KEY: `bench:${'be'.repeat(32)},${DEV_DATA_ENCRYPTION_KEY}`,
})
useDataKeyring(dataKeyringFromEnv(env))
const platform = await createPlatformServer({ database, env, log: (line) => console.error(`[platform] ${line}`) })
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  delay.disable()
  platform.close().then(
    async () => {
      await send({ type: 'stopped' })
      process.exit(0)
    },
    async (error: unknown) => {
      await send({ type: 'error', message: (error as Error)?.stack ?? String(error) })
      process.exit(1)
    },
  )
}
process.on('message', (message: PlatformParentMessage) => {
  if (message?.type === 'stop') stop()
  if (message?.type === 'memory') {
    const isPeakReset = message.reset ? resetPeak() : false
    void send({ type: 'memory', ...memory(), heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20, isPeakReset })
  }
  if (message?.type === 'loop') {
    void send({ type: 'loop', maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, meanMs: delay.mean / 1e6 })
    delay.reset()
  }
})
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.on('disconnect', stop)

await send({ type: 'ready', port: Number(new URL(platform.url).port) })
