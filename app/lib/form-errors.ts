import type { ZodError } from 'zod'

/**
 * A form's zod error as `{ field: code }`, first problem per field, for the error shown next to each field. Our schemas'
 * messages are already codes (`required`, `too_long`…); zod's own messages become `invalid`.
 */
export function formFieldErrors(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues)
    fields[String(issue.path[0] ?? 'form')] ??= /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid'
  return fields
}
