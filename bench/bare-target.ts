/**
 * Bench baseline: a bare node:http server that reads the request body and
 * answers `{"match":true}`, the same shape the gateway answers, with no auth,
 * database or metering. Usage: tsx bench/bare-target.ts [port]
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { listenToParent, tell } from './target-protocol.ts'

const port = Number(process.argv[2] ?? 0)
const payload = JSON.stringify({ match: true })
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(payload),
  'cache-control': 'no-store',
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    // Parse it, as the gateway does, so the baseline does the minimum a JSON API must.
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' })
      return res.end('{"error":"invalid_json"}')
    }
    res.writeHead(200, headers)
    res.end(payload)
  })
})
await new Promise<void>((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, '127.0.0.1', () => resolve())
})

listenToParent(async () => {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const force = setTimeout(() => server.closeAllConnections(), 5000)
  await closed
  clearTimeout(force)
  await tell({ type: 'stopped', committedEvents: null, internalErrors: 0 })
})

await tell({ type: 'ready', port: (server.address() as AddressInfo).port })
