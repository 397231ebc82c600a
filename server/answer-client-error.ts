import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

/** The HTTP status and stable code for a request Node's parser refused before any handler saw it. */
export function clientErrorAnswer(code: string | undefined): { status: number; code: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'Request headers are too large' }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'The request was not received in time' }
    case 'CONNECT':
      return { status: 405, code: 'method_not_allowed', message: 'CONNECT is not served here' }
    default:
      return { status: 400, code: 'bad_request', message: 'Malformed HTTP request' }
  }
}

/** How long a refusal waits for the answer before it on the same connection. */
const IN_FLIGHT_WAIT_MS = 15_000

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

/**
 * `clientError` handler: a request the HTTP parser refused (bad framing, oversize or malformed headers, duplicate or
 * conflicting Content-Length, unknown method, timeouts) gets the API's JSON error on the raw socket, then the
 * connection closes. A client that is already gone gets nothing and is not an error of ours.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // The client is gone (reset, or closed in the middle of a request): nothing to answer.
  if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
    socket.destroy()
    return
  }
  // Garbage pipelined behind a request still being answered (a body longer than its Content-Length): that answer
  // goes out first, in order, and only then the refusal. Node keeps the response in flight on the socket.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage
  if (inFlight && !inFlight.writableFinished) {
    inFlight.shouldKeepAlive = false
    // A bounded wait: the connection is released even if that answer never comes.
    const cutOff = setTimeout(() => socket.destroy(), IN_FLIGHT_WAIT_MS)
    cutOff.unref()
    inFlight.once('finish', () => {
      clearTimeout(cutOff)
      answerClientError(error, socket)
    })
    inFlight.once('close', () => {
      clearTimeout(cutOff)
      socket.destroy()
    })
    return
  }
  const answer = clientErrorAnswer(error.code)
  const requestId = `req_${randomUUID().replace(/-/g, '')}`
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message, requestId } })
  // Node's HTTP server keeps half-open sockets; after a parser error nobody reads this one any more, so it is
  // drained and closed here, with a bound, rather than left open.
  socket.on('error', () => undefined)
  socket.resume()
  setTimeout(() => socket.destroy(), 5_000).unref()
  socket.end(
    `HTTP/1.1 ${answer.status} ${REASONS[answer.status]}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      'x-content-type-options: nosniff\r\n' +
      'cache-control: no-store\r\n' +
      'connection: close\r\n\r\n' +
      body,
  )
}
