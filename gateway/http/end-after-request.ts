import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * After an early answer the rest of the body is read and dropped (never kept), so that a client still sending can
 * read the answer: closing a socket with unread data resets it and the client would lose the answer. A client that
 * keeps sending past this much, or for this long, is cut off.
 */
const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024
const DISCARD_LIMIT_MS = 10_000

/**
 * Ends a response whose payload is ready. When the request's body has not fully arrived (a refusal before the body
 * was read, a 413 in the middle of it), the answer is written at once but the response ends only when the body has
 * been drained — bounded in bytes and time — so the answer reaches the client instead of a connection reset.
 */
export function endAfterRequest(res: ServerResponse, payload: string | Buffer): void {
  const req = res.req as IncomingMessage | undefined
  if (!req || req.complete || req.destroyed) {
    res.end(payload)
    return
  }
  res.write(payload)
  drainThen(req, () => res.end())
}

function drainThen(req: IncomingMessage, done: () => void) {
  let dropped = 0
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    clearTimeout(cutOff)
    done()
  }
  const cutOff = setTimeout(() => {
    finish()
    req.socket?.destroy()
  }, DISCARD_LIMIT_MS)
  cutOff.unref()
  req.on('error', finish)
  req.on('end', finish)
  req.on('close', finish)
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length
    if (dropped > DISCARD_LIMIT_BYTES) {
      finish()
      req.socket?.destroy()
    }
  })
  req.resume()
}
