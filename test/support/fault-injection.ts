import cluster from 'node:cluster'
import { Server } from 'node:http'

/**
 * Test-only faults for the supervised server (test/integration/supervisor.test.ts), loaded into its processes with
 * `node --import tsx --import ./test/support/fault-injection.ts server/supervisor.ts`: production code has no such
 * door. In a cluster worker, before any request reaches the platform:
 *   /__fault/throw         throws inside the request handler: an exception that escaped every request path's catch
 *   /__fault/throw-later   answers 202, then throws from a timer (outside any request)
 *   /__fault/reject        answers 202 and leaves a rejected promise nobody awaits
 */
export const FAULT_PATHS = {
  throw: '/__fault/throw',
  throwLater: '/__fault/throw-later',
  reject: '/__fault/reject',
} as const

if (cluster.isWorker) {
  const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [import('node:http').IncomingMessage, import('node:http').ServerResponse]
      switch (req.url) {
        case FAULT_PATHS.throw:
          throw new Error('injected fault: thrown inside a request handler')
        case FAULT_PATHS.throwLater:
          res.writeHead(202).end()
          setTimeout(() => {
            throw new Error('injected fault: thrown from a timer')
          }, 0)
          return true
        case FAULT_PATHS.reject:
          res.writeHead(202).end()
          void Promise.reject(new Error('injected fault: a rejection nobody awaits'))
          return true
      }
    }
    return emit.call(this, event, ...args)
  } as typeof Server.prototype.emit
}
