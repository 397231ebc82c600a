/**
 * Bench target: the real gateway (createGateway) alone on a bare node:http
 * server, in its own process. Usage: tsx bench/gateway-target.ts <db-url> [port]
 * Forked by bench/gateway.ts; on `{type:'stop'}` / SIGTERM it stops accepting,
 * lets in-flight calls finish, flushes the usage recorder (gateway.close()),
 * closes the database and exits 0.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openDatabase } from '#db/client.ts'
import { createGateway } from '#gateway/create-gateway.ts'
import { listenToParent, tell } from './target-protocol.ts'

const url = process.argv[2]
if (!url) {
  console.error('usage: tsx bench/gateway-target.ts <db-url> [port]')
  process.exit(2)
}
const port = Number(process.argv[3] ?? 0)

const database = await openDatabase(url)
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
