import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export type RawOutcome =
  | { kind: 'answered'; response: RawResponse; ms: number }
  /** The connection closed (or was reset) before a complete status line and headers arrived. */
  | { kind: 'dropped'; detail: string; received: number }
  | { kind: 'timeout' }

export interface RawRequest {
  method: string
  /** Sent as is: may hold bytes a well-behaved client would never send. */
  target: string | Buffer
  /** Header lines in order, duplicates allowed; `Host` and `Connection: close` are added unless present. */
  headers?: [string, string | Buffer][]
  body?: Buffer | string
  /** Send the body with `Transfer-Encoding: chunked` in chunks of this size instead of Content-Length. */
  chunked?: number
  /** Omit the Content-Length header a body would otherwise get. */
  noContentLength?: boolean
}

/**
 * One HTTP/1.1 request on its own TCP connection, written byte for byte (nothing validated or normalised the way
 * node:http or fetch would), and its answer read to the end. For hostile-input tests.
 */
export function sendRaw(origin: string, request: RawRequest, timeoutMs = 15_000): Promise<RawOutcome> {
  const { hostname, port } = new URL(origin)
  const started = performance.now()
  return new Promise<RawOutcome>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) })
    const received: Buffer[] = []
    let done = false
    const finish = (outcome: RawOutcome) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs)
    const conclude = (detail: string) => {
      const all = Buffer.concat(received)
      const parsed = parseResponse(all, request.method)
      const framed =
        parsed && (parsed.headers['content-length'] !== undefined || parsed.headers['transfer-encoding'] !== undefined)
      // A framed body cut short is a dropped answer; an unframed one runs to the close by definition.
      if (parsed && (parsed.complete || !framed)) finish({ kind: 'answered', response: parsed, ms: performance.now() - started })
      else finish({ kind: 'dropped', detail, received: all.length })
    }
    socket.on('data', (chunk) => {
      received.push(chunk)
      const parsed = parseResponse(Buffer.concat(received), request.method)
      if (parsed && parsed.complete) finish({ kind: 'answered', response: parsed, ms: performance.now() - started })
    })
    socket.on('end', () => conclude('closed by the server'))
    socket.on('close', () => conclude('closed'))
    // A reset after the answer arrived (the server cut a refused upload) is fine; before it, the call was dropped.
    socket.on('error', (error) => conclude(`socket error ${(error as NodeJS.ErrnoException).code ?? error.message}`))
    socket.on('connect', () => {
      const lines: Buffer[] = []
      const headers = [...(request.headers ?? [])]
      const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name)
      if (!has('host')) headers.unshift(['Host', `${hostname}:${port}`])
      if (!has('connection')) headers.push(['Connection', 'close'])
      const body = request.body === undefined ? undefined : Buffer.from(request.body)
      if (body && request.chunked) headers.push(['Transfer-Encoding', 'chunked'])
      else if (body && !request.noContentLength && !has('content-length')) headers.push(['Content-Length', String(body.length)])
      lines.push(Buffer.from(`${request.method} `), Buffer.from(request.target), Buffer.from(' HTTP/1.1\r\n'))
      for (const [name, value] of headers) lines.push(Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n'))
      lines.push(Buffer.from('\r\n'))
      socket.write(Buffer.concat(lines))
      if (!body) return
      // The body is written as the socket drains, like a streaming client, and no more once an answer arrives (an
      // early 413): that is what curl and browsers do, and it lets a server refuse an upload without reading it all.
      const size = request.chunked ?? 64 * 1024
      let offset = 0
      const pump = () => {
        while (offset < body.length && !done && received.length === 0) {
          const piece = body.subarray(offset, offset + size)
          offset += piece.length
          const more = socket.write(
            request.chunked
              ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
              : piece,
          )
          if (!more) {
            socket.once('drain', pump)
            return
          }
        }
        if (request.chunked && !done && offset >= body.length) socket.write('0\r\n\r\n')
      }
      pump()
    })
  })
}

/** Parses status line, headers and (Content-Length or chunked) body; `complete` once the whole body is there. */
function parseResponse(bytes: Buffer, method: string): (RawResponse & { complete: boolean }) | null {
  // Interim answers (100 Continue) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 13).toString('latin1'))) {
    const interimEnd = bytes.indexOf('\r\n\r\n')
    if (interimEnd === -1) return null
    bytes = bytes.subarray(interimEnd + 4)
  }
  const end = bytes.indexOf('\r\n\r\n')
  if (end === -1) return null
  const head = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')
  if (!status) return null
  const headers: Record<string, string> = {}
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const rest = bytes.subarray(end + 4)
  if (method.toUpperCase() === 'HEAD') return { status: Number(status[1]), headers, body: Buffer.alloc(0), complete: true }
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    return { status: Number(status[1]), headers, body: rest.subarray(0, length), complete: rest.length >= length }
  }
  if ((headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked') {
    const parts: Buffer[] = []
    let at = 0
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at)
      if (lineEnd === -1) break
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16)
      if (Number.isNaN(size)) break
      if (size === 0) return { status: Number(status[1]), headers, body: Buffer.concat(parts), complete: true }
      if (rest.length < lineEnd + 2 + size + 2) break
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 2 + size + 2
    }
    return { status: Number(status[1]), headers, body: Buffer.concat(parts), complete: false }
  }
  // No length: the body runs to the end of the connection (we asked for Connection: close).
  return { status: Number(status[1]), headers, body: rest, complete: false }
}
