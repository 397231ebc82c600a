import { randomUUID } from 'node:crypto'
import type { Duplex } from 'node:stream'

/** The HTTP status and stable code for a request Node's parser refused before any handler saw it. */
export function clientErrorAnswer(code: string | undefined): { status: number; code: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'Request headers are too large' }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'The request was not received in time' }
    default:
      return { status: 400, code: 'bad_request', message: 'Malformed HTTP request' }
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

/**
 * `clientError` handler: a request the HTTP parser refused (bad framing, oversize or malformed headers, duplicate or
 * conflicting Content-Length, unknown method, timeouts) gets the API's JSON error on the raw socket, then the
 * connection closes. A client that is already gone gets nothing and is not an error of ours.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const answer = clientErrorAnswer(error.code)
  const requestId = `req_${randomUUID().replace(/-/g, '')}`
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message, requestId } })
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
