/**
 * Bench target: the real gateway (createGateway) alone on a bare node:http
 * server, in its own process. Usage: tsx bench/gateway-target.ts <db-url> [port]
 * Forked by bench/gateway.ts; on `{type:'stop'}` / SIGTERM it stops accepting,
 * lets in-flight calls finish, flushes the usage recorder (gateway.close()),
 * closes the database and exits 0.
 * With WORKERS=N (N > 1) it is a node:cluster primary over N such gateways on one port and one database, round-robin
 * as `npm start` does (ADR 0043): it answers the parent for all of them (CPU summed, events summed).
 */
import cluster from 'node:cluster'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openDatabase } from '#db/client.ts'
import { createGateway } from '#gateway/create-gateway.ts'
import { listenToParent, tell, type ParentMessage, type TargetMessage } from './target-protocol.ts'

const url = process.argv[2]
if (!url) {
  console.error('usage: tsx bench/gateway-target.ts <db-url> [port]')
  process.exit(2)
}
const port = Number(process.argv[3] ?? 0)
const workers = Number(process.env.WORKERS ?? 1)

if (workers > 1 && cluster.isPrimary) await runPrimary(workers)
else await runGateway()

/** One gateway on node:http (alone, or as one of the cluster's workers: then its parent is the primary). */
async function runGateway() {
  const database = await openDatabase(url!)
  let internalErrors = 0
  const gateway = createGateway({
    db: database.db,
    onError: (error, requestId) => {
      internalErrors++
      if (internalErrors <= 5)
        console.error(`[gateway-target] ${requestId} internal error: ${(error as Error)?.stack ?? String(error)}`)
    },
  })
  const server = createServer((req, res) => gateway.handle(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })

  listenToParent(async () => {
    // Stop accepting; idle keep-alive sockets go now, busy ones once their response is written.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const force = setTimeout(() => server.closeAllConnections(), 5000)
    await closed
    clearTimeout(force)
    await gateway.close()
    const { committedEvents, commits } = gateway.recorder
    database.close()
    await tell({ type: 'stopped', committedEvents, internalErrors, commits })
  })

  await tell({ type: 'ready', port: (server.address() as AddressInfo).port })
}

/** The cluster's primary: starts the workers, then speaks for them to the parent. */
async function runPrimary(n: number) {
  cluster.schedulingPolicy = cluster.SCHED_RR
  const forked = Array.from({ length: n }, () => cluster.fork())
  const inbox = new Map<(typeof forked)[number], TargetMessage[]>()
  const waiters: (() => void)[] = []
  for (const worker of forked) {
    inbox.set(worker, [])
    worker.on('message', (message: TargetMessage) => {
      inbox.get(worker)!.push(message)
      for (const wake of waiters.splice(0)) wake()
    })
    worker.on('exit', (code) => {
      if (code !== 0) console.error(`[gateway-target] worker ${worker.process.pid} exited with ${code}`)
    })
  }
  /** Each worker's next message of this type. */
  async function fromEach<T extends TargetMessage['type']>(type: T): Promise<Extract<TargetMessage, { type: T }>[]> {
    const take = () =>
      forked.map((w) => {
        const box = inbox.get(w)!
        const i = box.findIndex((m) => m.type === type)
        return i < 0 ? undefined : box[i]
      })
    while (take().some((m) => m === undefined)) await new Promise<void>((wake) => waiters.push(wake))
    return forked.map((w) => {
      const box = inbox.get(w)!
      return box.splice(
        box.findIndex((m) => m.type === type),
        1,
      )[0] as Extract<TargetMessage, { type: T }>
    })
  }

  const ready = await fromEach('ready')
  process.on('message', (message: ParentMessage) => {
    if (message?.type !== 'cpu') return
    for (const w of forked) w.send({ type: 'cpu' })
    void fromEach('cpu').then((each) => {
      const { user, system } = process.cpuUsage()
      const own = (user + system) / 1000
      void tell({ type: 'cpu', cpuMs: own + each.reduce((sum, m) => sum + m.cpuMs, 0), atMs: performance.now() })
    })
  })
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    for (const w of forked) w.send({ type: 'stop' })
    const stopped = await fromEach('stopped')
    const sum = (pick: (m: (typeof stopped)[number]) => number | null | undefined) =>
      stopped.reduce((total, m) => total + (pick(m) ?? 0), 0)
    await tell({
      type: 'stopped',
      committedEvents: sum((m) => m.committedEvents),
      internalErrors: sum((m) => m.internalErrors),
      commits: sum((m) => m.commits),
    })
    process.exit(0)
  }
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'stop') void stop()
  })
  process.on('SIGTERM', () => void stop())
  process.on('disconnect', () => void stop())
  await tell({ type: 'ready', port: ready[0]!.port })
}
