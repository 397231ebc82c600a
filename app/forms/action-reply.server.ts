import type { ZodError } from 'zod'
import { HTTP_STATUS_OF_KIND, type DomainError } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'

/**
 * What every form action answers when it did nothing: the errors to show next to each field, a form-level error
 * code, and which of a page's several forms it was (`target`), so the error appears under the right one.
 */
export interface FormReply {
  target: string | null
  fields: Record<string, string>
  formError: string | null
  /** Values a message needs (`{ceiling}`, `{expected}`). */
  vars?: Record<string, string>
}

/** A form that did not parse: 400 with the first problem of each field. */
export function invalidForm(error: ZodError, opts: { target?: string | null } = {}): Response {
  return formReply({ target: opts.target ?? null, fields: fieldErrors(error), formError: null }, 400)
}

/**
 * A domain operation that refused: the status of its kind (one mapping, platform/result.ts), its field errors when it
 * names fields, else its code as the form's error. `shownFields`: the fields this form has an input for, when the
 * operation may name others (a product's datasets on a page that only reviews it); a failure naming none of them
 * reads as the form's error, so it is never lost. `codeAlso`: the code is the form's error even when fields are named
 * (a refusal without its legal basis says so above the form and marks each missing part beside its field).
 */
export function failedForm(
  error: DomainError,
  opts: {
    target?: string | null
    vars?: Record<string, string>
    shownFields?: readonly string[]
    codeAlso?: boolean
    headers?: HeadersInit
  } = {},
): Response {
  const named = error.fields ?? {}
  const shown = opts.shownFields
  const fields = shown ? Object.fromEntries(Object.entries(named).filter(([name]) => shown.includes(name))) : named
  const reply: FormReply = {
    target: opts.target ?? null,
    fields,
    formError: opts.codeAlso || !Object.keys(fields).length ? error.code : null,
    ...(opts.vars ? { vars: opts.vars } : {}),
  }
  return formReply(reply, HTTP_STATUS_OF_KIND[error.kind], opts.headers)
}

/** A form-level error the route itself found (a missing upload, a stale confirmation). */
export function formError(code: string, status = 400, opts: { target?: string | null; headers?: HeadersInit } = {}): Response {
  return formReply({ target: opts.target ?? null, fields: {}, formError: code }, status, opts.headers)
}

/** `headers`: what a refusal must also say (Retry-After of a lock, a cleared session cookie). */
export function formReply(reply: FormReply, status: number, headers?: HeadersInit): Response {
  return Response.json(reply, { status, headers })
}
