import type { IncomingMessage } from 'node:http'
import { GatewayError } from './gateway-error.ts'
import { checkJsonShape } from './json-shape.ts'

export const MAX_BODY_BYTES = 64 * 1024
/** Arrays and objects nested deeper than this are refused before anything walks them recursively. */
export const MAX_JSON_DEPTH = 32
/** A body not received in full within this time is refused (408): a slow sender cannot hold a call open. */
export const BODY_TIMEOUT_MS = 15_000

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** Raised when the caller hung up while we read its body: not an internal error, nothing to answer. */
export class ClientClosedError extends Error {
  constructor() {
    super('The client closed the connection before its request was read')
  }
}

/**
 * The media type of a JSON request: `application/json`, optionally with `charset=utf-8` (any other charset is
 * refused rather than guessed). Anything else is 415.
 */
export function checkJsonContentType(header: string | undefined): void {
  const value = header ?? ''
  const [type, ...params] = value.split(';')
  if (type!.trim().toLowerCase() !== 'application/json') {
    throw new GatewayError('unsupported_media_type', 'Content-Type must be application/json')
  }
  for (const param of params) {
    const eq = param.indexOf('=')
    const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase()
    const raw = eq === -1 ? '' : param.slice(eq + 1).trim()
    if (name === '' && raw === '') continue
    if (name !== 'charset') continue
    const charset = raw.replace(/^"(.*)"$/, '$1').toLowerCase()
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new GatewayError('unsupported_media_type', 'A JSON body must be UTF-8 (charset=utf-8)')
    }
  }
}

/**
 * Reads the raw body with a hard cap. The cap is enforced as bytes arrive, whether the client declared a
 * Content-Length or streams chunks: past it the caller gets 413 at once, nothing more is buffered, a little more is
 * drained by the answer (end-after-request.ts) so the client can read it.
 */
export function readBodyBytes(req: IncomingMessage, maxBytes = MAX_BODY_BYTES, timeoutMs = BODY_TIMEOUT_MS): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const declared = req.headers['content-length']
    // The rest of a refused body is drained by the answer (end-after-request.ts), never buffered.
    if (declared !== undefined && Number(declared) > maxBytes) {
      reject(new GatewayError('payload_too_large', `Request body exceeds ${maxBytes} bytes`))
      return
    }
    if (req.readableEnded) {
      resolve(Buffer.alloc(0))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      cleanup()
      reject(
        new GatewayError('request_timeout', `The request body was not received within ${timeoutMs / 1000} s`, undefined, {
          connection: 'close',
        }),
      )
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        settled = true
        cleanup()
        reject(new GatewayError('payload_too_large', `Request body exceeds ${maxBytes} bytes`))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      if (settled) return
      settled = true
      cleanup()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    }
    const onError = () => {
      if (settled) return
      settled = true
      cleanup()
      reject(new ClientClosedError())
    }
    const onClose = () => {
      if (settled || req.readableEnded) return
      settled = true
      cleanup()
      reject(new ClientClosedError())
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

/**
 * Reads a JSON body: media type (415), size cap (413), strict UTF-8, then JSON with bounded depth, safe numbers and
 * no prototype keys (400 `validation_failed` naming the problem in `fields.body`).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  checkJsonContentType(req.headers['content-type'])
  // Compressed bodies are not accepted: a small gzip can inflate to gigabytes past every size check.
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity') throw new GatewayError('unsupported_media_type', 'Content-Encoding is not supported')
  const bytes = await readBodyBytes(req, maxBytes)
  return parseJsonBytes(bytes)
}

/** Strict JSON from bytes: invalid UTF-8, bad syntax, deep nesting, unsafe numbers and prototype keys are refused. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw new GatewayError('validation_failed', 'Request body is not valid UTF-8', { body: 'invalid_utf8' })
  }
  // Depth is measured on the text before parsing, so nothing recursive ever sees a deep value.
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new GatewayError('validation_failed', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, { body: 'too_deep' })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new GatewayError('validation_failed', 'Request body is not valid JSON', { body: 'invalid_json' })
  }
  const problem = checkJsonShape(value)
  if (problem) throw new GatewayError('validation_failed', problem.message, { [problem.path || 'body']: problem.code })
  return value
}

/** The deepest bracket nesting outside string literals (an upper bound on the parsed value's depth). */
export function nestingDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return max
}
