import type { ZodError } from 'zod'

/**
 * A zod error as `{ "path.to.field": code }`, first problem per field. Our own
 * messages are already codes (`required`, `code_format`…); zod's built-in ones
 * become `required` (missing) or `invalid`.
 */
export function zodFields(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_'
    if (fields[key]) continue
    if (issue.code === 'invalid_type' && issue.received === 'undefined') fields[key] = 'required'
    else if (/^[a-z_]+$/.test(issue.message)) fields[key] = issue.message
    else if (issue.code === 'too_big') fields[key] = 'too_long'
    else fields[key] = 'invalid'
  }
  return fields
}
