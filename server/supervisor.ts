import cluster, { type Worker } from 'node:cluster'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

/**
 * The last line of defence (docs/decisions/0013-supervised-server.md). `npm start` runs this file: a `node:cluster`
 * primary that keeps one worker (server.ts) serving and a second one on standby, loaded but not listening; with
 * `WORKERS=N`, N such pairs behind the one port, sharing the database (ADR 0043). When the
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
  /** Serving workers behind the one port (`WORKERS`, default 1), each with its own standby (ADR 0013, 0043). */
  workers?: number
  log?: (line: string) => void
  /** Called with an exit code when the very first worker ended before it ever listened (nothing to keep alive). */
  giveUp?: (code: number) => void
}

export interface Supervisor {
  /** Forwards SIGTERM to the workers and resolves with the serving ones' exit code; nothing is restarted after. */
  stop(signal: NodeJS.Signals): Promise<number>
}

/** `WORKERS`: how many serving workers `npm start` runs (1 to 64; default 1). */
export function workersFromEnv(env: Record<string, string | undefined> = process.env): number {
  const parsed = z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .safeParse(env.WORKERS ?? '1')
  if (!parsed.success) throw new Error(`WORKERS must be a whole number from 1 to 64, not ${JSON.stringify(env.WORKERS)}`)
  return parsed.data
}

/** The slot a worker serves in (0 … WORKERS-1), from the environment the supervisor forks it with; 0 outside one. */
export function workerSlot(env: Record<string, string | undefined> = process.env): number {
  const slot = Number(env.PLATFORM_WORKER_SLOT ?? 0)
  return Number.isInteger(slot) && slot >= 0 ? slot : 0
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

/** One of the WORKERS places: a serving worker and its standby, with the restart history of that place. */
interface Place {
  index: number
  serving: Slot | null
  standby: Slot | null
  youngDeathsInARow: number
  standbyDeathsInARow: number
}

export function startSupervisor(opts: SupervisorOptions): Supervisor {
  const log = opts.log ?? ((line: string) => console.log(`[supervisor] ${line}`))
  const giveUp = opts.giveUp ?? ((code: number) => process.exit(code))
  const workers = opts.workers ?? 1
  // One serving worker accepts its own connections from the shared listening socket: no hop through this process
  // per connection on the gateway's hot path. Several take turns (round-robin by this process, one hop per
  // connection, not per call: clients keep their connections alive); left to the kernel, one of them takes most.
  cluster.schedulingPolicy = workers > 1 ? cluster.SCHED_RR : cluster.SCHED_NONE
  cluster.setupPrimary({ exec: opts.exec })

  const places: Place[] = Array.from({ length: workers }, (_, index) => ({
    index,
    serving: null,
    standby: null,
    youngDeathsInARow: 0,
    standbyDeathsInARow: 0,
  }))
  let hasEverListened = false
  let restarts = 0
  const timers = new Set<NodeJS.Timeout>()
  let stopping: { done: Promise<number>; resolve: (code: number) => void; code: number } | null = null

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }

  function fork(place: Place): Slot {
    const worker = cluster.fork({ PLATFORM_WORKER_SLOT: String(place.index) })
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
          (workers > 1 ? ` (slot ${place.index})` : '') +
          (restart ? ` ${Date.now() - restart.diedAt} ms after worker ${restart.pid} died` : ''),
      )
      startStandby(place)
    })
    return slot
  }

  /** Makes the place's standby (or, if there is none, a new worker) the serving one. */
  function promote(place: Place, restart: RestartNotice | null) {
    const slot = place.standby ?? fork(place)
    place.standby = null
    place.serving = slot
    slot.servingSince = Date.now()
    slot.serve = { type: 'platform:serve', restart }
    if (slot.isLoaded) slot.worker.send(slot.serve)
    log(`worker ${slot.worker.process.pid} serves${restart ? ` (restart ${restart.restart})` : ''}`)
  }

  function startStandby(place: Place) {
    if (stopping || place.standby) return
    place.standby = fork(place)
    log(`worker ${place.standby.worker.process.pid} started as standby`)
  }

  function servingLeft(): number {
    return places.filter((p) => p.serving).length
  }

  cluster.on('exit', (worker, code, signal) => {
    const how = signal ? `signal ${signal}` : `code ${code}`
    const asStandby = places.find((p) => p.standby?.worker === worker)
    if (asStandby) {
      asStandby.standby = null
      if (stopping) return
      asStandby.standbyDeathsInARow++
      const delayMs = restartDelayMs(asStandby.standbyDeathsInARow)
      console.error(`[supervisor] standby worker ${worker.process.pid} died (${how}); a new one in ${delayMs} ms`)
      later(delayMs, () => startStandby(asStandby))
      return
    }
    const place = places.find((p) => p.serving?.worker === worker)
    if (!place) return
    const { servingSince, hasListened } = place.serving!
    place.serving = null
    if (stopping) {
      log(`worker ${worker.process.pid} stopped (${how})`)
      const exitCode = signal ? 1 : (code ?? 1)
      if (exitCode !== 0) stopping.code = exitCode
      if (servingLeft() === 0) stopping.resolve(stopping.code)
      return
    }
    if (!hasEverListened) {
      // Never came up (bad environment, unreachable database): another start would fail the same way.
      log(`worker ${worker.process.pid} ended (${how}) before it ever listened; not restarting`)
      stopping = { done: Promise.resolve(0), resolve: () => undefined, code: 0 }
      for (const p of places) {
        p.standby?.worker.process.kill('SIGTERM')
        p.serving?.worker.process.kill('SIGTERM')
      }
      giveUp(signal ? 1 : code || 1)
      return
    }
    const diedAt = Date.now()
    const uptimeMs = diedAt - servingSince
    place.youngDeathsInARow = uptimeMs < STABLE_UPTIME_MS || !hasListened ? place.youngDeathsInARow + 1 : 1
    if (place.youngDeathsInARow === 1) place.standbyDeathsInARow = 0
    restarts++
    const delayMs = restartDelayMs(place.youngDeathsInARow)
    const notice: RestartNotice = { pid: worker.process.pid ?? -1, code, signal, diedAt, uptimeMs, restart: restarts, delayMs }
    console.error(
      `[supervisor] worker ${notice.pid} died (${how}) after serving ${uptimeMs} ms; restart ${restarts}` +
        (workers > 1 ? ` (slot ${place.index})` : '') +
        (delayMs ? ` in ${delayMs} ms (${place.youngDeathsInARow} early deaths in a row)` : ' now'),
    )
    later(delayMs, () => promote(place, notice))
  })

  for (const place of places) promote(place, null)

  return {
    stop(signal) {
      if (stopping) return stopping.done
      let resolveStop!: (code: number) => void
      const done = new Promise<number>((r) => (resolveStop = r))
      stopping = { done, resolve: resolveStop, code: 0 }
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const place of places) place.standby?.worker.process.kill('SIGTERM')
      const running = places.flatMap((p) => (p.serving ? [p.serving] : []))
      if (running.length === 0) {
        resolveStop(0)
        return done
      }
      for (const slot of running) {
        log(`${signal}: asking worker ${slot.worker.process.pid} to finish in-flight requests and flush metering`)
        slot.worker.process.kill('SIGTERM')
      }
      const deadline = setTimeout(() => {
        for (const slot of running) {
          if (slot.worker.isDead()) continue
          log(`worker ${slot.worker.process.pid} still running after ${STOP_DEADLINE_MS} ms; killing it`)
          slot.worker.process.kill('SIGKILL')
        }
      }, STOP_DEADLINE_MS)
      deadline.unref()
      void done.then(() => clearTimeout(deadline))
      return done
    },
  }
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isEntry && cluster.isPrimary) {
  let workers: number
  try {
    workers = workersFromEnv()
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
  const supervisor = startSupervisor({ exec: fileURLToPath(new URL('../server.ts', import.meta.url)), workers })
  const onSignal = (signal: NodeJS.Signals) => void supervisor.stop(signal).then((code) => process.exit(code))
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
