import type { ZodError, ZodIssue } from 'zod'

export interface FieldErrorOptions {
  /** The key of a problem with the value as a whole (an issue without a path). Default `form`. */
  root?: string
  /**
   * How an issue becomes a code. `message` (default): our schemas' messages are already codes (`required`,
   * `too_long`…); zod's own become `required` (missing), `too_long` (too big) or `invalid`. `issue`: zod's issue code
   * itself (`too_small`, `invalid_string`…), the metered API's documented contract (api-specs/openapi.yaml).
   */
  codes?: 'message' | 'issue'
}

const isMissing = (issue: ZodIssue) => issue.code === 'invalid_type' && issue.received === 'undefined'

function codeOf(issue: ZodIssue, codes: 'message' | 'issue'): string {
  if (isMissing(issue)) return 'required'
  if (codes === 'issue') return issue.code
  if (/^[a-z_]+$/.test(issue.message)) return issue.message
  return issue.code === 'too_big' ? 'too_long' : 'invalid'
}

/**
 * A zod error as `{ "path.to.field": code }`, the first problem per field: the one place a validation failure becomes
 * the errors shown next to each field (UI forms), returned in a Result's `fields` (domain operations) or answered in
 * `validation_failed` (the metered API).
 */
export function fieldErrors(error: ZodError, opts: FieldErrorOptions = {}): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues)
    fields[issue.path.join('.') || (opts.root ?? 'form')] ??= codeOf(issue, opts.codes ?? 'message')
  return fields
}
