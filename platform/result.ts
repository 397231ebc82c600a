// Domain operations return a Result instead of throwing for expected failures.
// `kind` drives the HTTP status; `code` is the stable snake_case code clients see.
export type ErrorKind =
  'not_found' | 'validation' | 'forbidden' | 'unauthorized' | 'conflict' | 'unavailable' | 'locked' | 'rate_limited'

export interface DomainError {
  kind: ErrorKind
  code: string
  message: string
  fields?: Record<string, string>
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })

export const fail = (
  kind: ErrorKind,
  code: string,
  message: string,
  fields?: Record<string, string>,
): { ok: false; error: DomainError } => ({ ok: false, error: { kind, code, message, ...(fields ? { fields } : {}) } })

/** The one mapping from a failure's kind to an HTTP status, for every route and API that answers a failed Result. */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
}
