import cluster, { type Worker } from 'node:cluster'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

/**
 * The last line of defence (docs/decisions/0013-supervised-server.md). `npm start` runs this file: a `node:cluster`
 * primary that keeps one worker (server.ts) serving and a second one on standby, loaded but not listening. When the
 * serving worker dies, the standby is promoted at once (it only has to open the database and listen: a cold start
 * spends seconds loading modules), it writes the `platform.restarted` audit entry from the notice it is given, and a
 * new standby is started behind it. SIGTERM/SIGINT are passed on for the worker's clean shutdown.
 * The primary opens no database and serves no request: there is as little in it as possible that could fail.
 */

/** A worker that served at least this long was healthy: its death promotes at once and resets the back-off. */
export const STABLE_UPTIME_MS = 10_000
export const FIRST_BACKOFF_MS = 1_000
export const MAX_BACKOFF_MS = 30_000
/** After SIGTERM the worker drains (in-flight requests get 10 s) and flushes; past this it is killed. */
export const STOP_DEADLINE_MS = 60_000

/**
 * How long to wait before the next worker serves, given how many serving workers in a row died young (the one that
 * just died included). The first restart is immediate; a crash loop backs off 1 s, 2 s, 4 s … up to 30 s.
 */
export function restartDelayMs(youngDeathsInARow: number): number {
  if (youngDeathsInARow <= 1) return 0
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (youngDeathsInARow - 2))
}

const restartNoticeSchema = z.object({
  /** The dead worker's process id, exit code and signal (one of the two is null). */
  pid: z.number().int(),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  diedAt: z.number().int(),
  /** How long it had served. */
  uptimeMs: z.number().int(),
  /** 1 for the first restart under this supervisor. */
  restart: z.number().int().min(1),
  /** The back-off waited before this worker was told to serve. */
  delayMs: z.number().int().min(0),
})
export type RestartNotice = z.infer<typeof restartNoticeSchema>

// The two messages between the primary and a worker.
const standbyMessageSchema = z.object({ type: z.literal('platform:standby') })
const serveMessageSchema = z.object({ type: z.literal('platform:serve'), restart: restartNoticeSchema.nullable() })
type ServeMessage = z.infer<typeof serveMessageSchema>

/**
 * In a worker: says it is loaded and waits until the supervisor tells it to serve, with the notice of the restart
 * it replaces (null for the first start). Outside a cluster (`tsx server.ts`, tests, the bench) it serves at once.
 */
export function waitForTurnToServe(): Promise<{ restart: RestartNotice | null }> {
  const send = process.send?.bind(process)
  if (!cluster.isWorker || !send) return Promise.resolve({ restart: null })
  return new Promise((resolveTurn) => {
    const onMessage = (message: unknown) => {
      const parsed = serveMessageSchema.safeParse(message)
      if (!parsed.success) return
      process.off('message', onMessage)
      resolveTurn({ restart: parsed.data.restart })
    }
    process.on('message', onMessage)
    send({ type: 'platform:standby' })
  })
}

export interface SupervisorOptions {
  /** The worker's entry file. */
  exec: string
  log?: (line: string) => void
  /** Called with an exit code when the very first worker ended before it ever listened (nothing to keep alive). */
  giveUp?: (code: number) => void
}

export interface Supervisor {
  /** Forwards SIGTERM to the workers and resolves with the serving one's exit code; nothing is restarted after. */
  stop(signal: NodeJS.Signals): Promise<number>
}

interface Slot {
  worker: Worker
  /** Loaded and waiting for its turn (it said `platform:standby`). */
  isLoaded: boolean
  /** Set when it has been told to serve (or will be, once loaded). */
  serve: ServeMessage | null
  servingSince: number
  hasListened: boolean
}

export function startSupervisor(opts: SupervisorOptions): Supervisor {
  const log = opts.log ?? ((line: string) => console.log(`[supervisor] ${line}`))
  const giveUp = opts.giveUp ?? ((code: number) => process.exit(code))
  // The worker accepts its own connections from the shared listening socket: no hop through this process per
  // connection on the gateway's hot path (round-robin would add one, and one serving worker needs no balancing).
  cluster.schedulingPolicy = cluster.SCHED_NONE
  cluster.setupPrimary({ exec: opts.exec })

  let serving: Slot | null = null
  let standby: Slot | null = null
  let hasEverListened = false
  let restarts = 0
  let youngDeathsInARow = 0
  let standbyDeathsInARow = 0
  const timers = new Set<NodeJS.Timeout>()
  let stopping: { done: Promise<number>; resolve: (code: number) => void } | null = null

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }

  function fork(): Slot {
    const worker = cluster.fork()
    const slot: Slot = { worker, isLoaded: false, serve: null, servingSince: 0, hasListened: false }
    worker.on('message', (message: unknown) => {
      if (!standbyMessageSchema.safeParse(message).success) return
      slot.isLoaded = true
      if (slot.serve) worker.send(slot.serve)
    })
    worker.once('listening', () => {
      slot.hasListened = true
      hasEverListened = true
      const restart = slot.serve?.restart
      log(
        `worker ${worker.process.pid} listening` +
          (restart ? ` ${Date.now() - restart.diedAt} ms after worker ${restart.pid} died` : ''),
      )
      startStandby()
    })
    return slot
  }

  /** Makes the standby (or, if there is none, a new worker) the serving one. */
  function promote(restart: RestartNotice | null) {
    const slot = standby ?? fork()
    standby = null
    serving = slot
    slot.servingSince = Date.now()
    slot.serve = { type: 'platform:serve', restart }
    if (slot.isLoaded) slot.worker.send(slot.serve)
    log(`worker ${slot.worker.process.pid} serves${restart ? ` (restart ${restart.restart})` : ''}`)
  }

  function startStandby() {
    if (stopping || standby) return
    standby = fork()
    log(`worker ${standby.worker.process.pid} started as standby`)
  }

  cluster.on('exit', (worker, code, signal) => {
    const how = signal ? `signal ${signal}` : `code ${code}`
    if (standby?.worker === worker) {
      standby = null
      if (stopping) return
      standbyDeathsInARow++
      const delayMs = restartDelayMs(standbyDeathsInARow)
      console.error(`[supervisor] standby worker ${worker.process.pid} died (${how}); a new one in ${delayMs} ms`)
      later(delayMs, startStandby)
      return
    }
    if (serving?.worker !== worker) return
    const { servingSince, hasListened } = serving
    serving = null
    if (stopping) {
      log(`worker ${worker.process.pid} stopped (${how})`)
      stopping.resolve(signal ? 1 : (code ?? 1))
      return
    }
    if (!hasEverListened) {
      // Never came up (bad environment, unreachable database): another start would fail the same way.
      log(`worker ${worker.process.pid} ended (${how}) before it ever listened; not restarting`)
      if (standby) standby.worker.process.kill('SIGTERM')
      giveUp(signal ? 1 : code || 1)
      return
    }
    const diedAt = Date.now()
    const uptimeMs = diedAt - servingSince
    youngDeathsInARow = uptimeMs < STABLE_UPTIME_MS || !hasListened ? youngDeathsInARow + 1 : 1
    if (youngDeathsInARow === 1) standbyDeathsInARow = 0
    restarts++
    const delayMs = restartDelayMs(youngDeathsInARow)
    const notice: RestartNotice = { pid: worker.process.pid ?? -1, code, signal, diedAt, uptimeMs, restart: restarts, delayMs }
    console.error(
      `[supervisor] worker ${notice.pid} died (${how}) after serving ${uptimeMs} ms; restart ${restarts}` +
        (delayMs ? ` in ${delayMs} ms (${youngDeathsInARow} early deaths in a row)` : ' now'),
    )
    later(delayMs, () => promote(notice))
  })

  promote(null)

  return {
    stop(signal) {
      if (stopping) return stopping.done
      let resolveStop!: (code: number) => void
      const done = new Promise<number>((r) => (resolveStop = r))
      stopping = { done, resolve: resolveStop }
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      if (standby) standby.worker.process.kill('SIGTERM')
      const running = serving
      if (!running) {
        resolveStop(0)
        return done
      }
      log(`${signal}: asking worker ${running.worker.process.pid} to finish in-flight requests and flush metering`)
      running.worker.process.kill('SIGTERM')
      const deadline = setTimeout(() => {
        log(`worker ${running.worker.process.pid} still running after ${STOP_DEADLINE_MS} ms; killing it`)
        running.worker.process.kill('SIGKILL')
      }, STOP_DEADLINE_MS)
      deadline.unref()
      void done.then(() => clearTimeout(deadline))
      return done
    },
  }
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isEntry && cluster.isPrimary) {
  const supervisor = startSupervisor({ exec: fileURLToPath(new URL('../server.ts', import.meta.url)) })
  const onSignal = (signal: NodeJS.Signals) => void supervisor.stop(signal).then((code) => process.exit(code))
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
