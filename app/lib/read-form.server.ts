import type { AppLoadContext } from '@remix-run/node'
import { hasFieldControlCharacter } from '#platform/text/control-characters.ts'
import { CSRF_FIELD, requireCsrfToken } from './csrf.server.ts'

/** Our largest form (a product with examples, 4,000 CJK characters a field) is far below this once encoded. */
export const MAX_FORM_BYTES = 256 * 1024
const MAX_FIELDS = 500
const MAX_NAME_LENGTH = 100
/** Names that would reach an object's prototype if any code ever assigned them by name. No form of ours uses them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export type FormRefusal = 'unsupported_content_type' | 'body_too_large' | 'malformed_body' | 'forbidden_field'

/**
 * The one way every action reads its form. Our forms post `application/x-www-form-urlencoded` (Remix <Form>, and
 * the browser without JavaScript); anything else is refused before the body is parsed, so an unexpected JSON,
 * text or multipart body answers 415, not the 500 `request.formData()` throws. The body is read up to MAX_FORM_BYTES
 * (413 beyond), then decoded strictly: malformed percent-encoding, invalid UTF-8, control characters (tab and newlines
 * aside), prototype names or too many fields answer 400. The refusal is a thrown Response, so Remix renders the route's
 * error boundary with that status and the action runs no further.
 *
 * Then the CSRF token (ADR 0017): the form must carry this session's token in `_csrf` (every form of ours does, see
 * app/components/form.tsx), else 403 before the action sees a single field; the token is taken out of the form.
 */
export async function readForm(
  request: Request,
  context: AppLoadContext,
  options: { maxBytes?: number } = {},
): Promise<FormData> {
  const maxBytes = options.maxBytes ?? MAX_FORM_BYTES
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') throw refuse(415, 'unsupported_content_type')
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (!(declared <= maxBytes)) throw refuse(413, 'body_too_large')
  const bytes = await readAtMost(request, maxBytes)
  if (bytes === null) throw refuse(413, 'body_too_large')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw refuse(400, 'malformed_body')
  }
  const form = new FormData()
  let count = 0
  for (const pair of text.split('&')) {
    if (pair === '') continue
    if (++count > MAX_FIELDS) throw refuse(400, 'malformed_body')
    const eq = pair.indexOf('=')
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq))
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1))
    if (name === '' || name.length > MAX_NAME_LENGTH || PROTOTYPE_KEYS.has(name)) throw refuse(400, 'forbidden_field')
    if (hasFieldControlCharacter(name) || hasFieldControlCharacter(value)) throw refuse(400, 'malformed_body')
    form.append(name, value)
  }
  await requireCsrfToken(request, context, form.get(CSRF_FIELD))
  form.delete(CSRF_FIELD)
  return form
}

/** `+` is a space in form encoding; malformed escapes and escapes that are not UTF-8 are refused, not guessed. */
function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    throw refuse(400, 'malformed_body')
  }
}

/**
 * The body, or null once it passes `limit` bytes. It stops reading there: the rest is never buffered, and the server
 * closes the connection after answering (server/ui-request-guard.ts), so a client still sending cannot hold it.
 */
async function readAtMost(request: Request, limit: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>
    try {
      chunk = await reader.read()
    } catch {
      // The client went away or the stream broke: nothing to answer, but not our failure.
      throw refuse(400, 'malformed_body')
    }
    if (chunk.done) break
    size += chunk.value.byteLength
    if (size > limit) {
      reader.releaseLock()
      return null
    }
    chunks.push(chunk.value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const c of chunks) {
    bytes.set(c, offset)
    offset += c.byteLength
  }
  return bytes
}

function refuse(status: 400 | 413 | 415, code: FormRefusal): Response {
  return new Response(code, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}
