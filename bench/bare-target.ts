/**
 * Bench baseline: a bare node:http server that reads the request body and
 * answers `{"match":true}`, the same shape the gateway answers, with no auth,
 * database or metering. A GET (the credit profile's twin) is answered with a fixed JSON body of
 * `--get-bytes` bytes (default 547, the size of the gateway's credit-profile answer).
 * Usage: tsx bench/bare-target.ts [--get-bytes <n>] [port]
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { listenToParent, tell } from './target-protocol.ts'

const getBytesAt = process.argv.indexOf('--get-bytes')
const getBytes = getBytesAt >= 0 ? Number(process.argv[getBytesAt + 1]) : 547
const port = Number(process.argv.slice(2).filter((a, i, all) => a !== '--get-bytes' && all[i - 1] !== '--get-bytes')[0] ?? 0)
const payload = JSON.stringify({ match: true })
// {"profile":"xxx…"}: 14 bytes of frame around the padding.
const getPayload = JSON.stringify({ profile: 'x'.repeat(Math.max(0, getBytes - 14)) })
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(payload),
  'cache-control': 'no-store',
}

const getHeaders = { ...headers, 'content-length': Buffer.byteLength(getPayload) }

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    req.resume()
    res.writeHead(200, getHeaders)
    return res.end(getPayload)
  }
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
