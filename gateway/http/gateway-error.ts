/** Stable error codes of the metered API with their HTTP status (api-specs/openapi.yaml, ErrorCode). */
export const GATEWAY_ERRORS = {
  invalid_key: 401,
  key_expired: 401,
  key_revoked: 401,
  ip_not_allowed: 403,
  not_subscribed: 403,
  subscription_pending: 403,
  /** The partner has not accepted the current agreements, or a new version past its accept-by date (Art. 22; ADR 0031). */
  agreement_not_accepted: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 400,
  /** Malformed HTTP: bad percent-encoding or bytes in the target, duplicated or odd headers (ADR 0014). */
  bad_request: 400,
  request_timeout: 408,
  headers_too_large: 431,
  product_suspended: 423,
  /** The bureau suspended the calling partner (docs/decisions/0009-gateway-limits-and-suspension.md). */
  partner_suspended: 423,
  /** An authorization of a dataset the product draws on has ended (Art. 17): a legal bar, hence 451 (ADR 0009). */
  authorization_ended: 451,
  /** The bureau paused the authorization of a dataset the product draws on during a rectification (Art. 24, 27; ADR 0028). */
  authorization_suspended: 423,
  rate_limited: 429,
  quota_exhausted: 429,
  /** Sandbox (ADR 0038): the result would have more groups than a job may release. */
  too_many_groups: 400,
  /** Sandbox: the query differs from an earlier one of the partner by fewer than k units in a group (ADR 0038). */
  differencing_risk: 409,
  /** Sandbox: the subscription's privacy budget (ε) for the period is spent; it renews with the next (ADR 0038). */
  privacy_budget_exhausted: 429,
  /** Sandbox models (ADR 0044): the model fails a reversibility check (Art. 13); no reviewer will see it. */
  reversibility_check_failed: 409,
  /** Sandbox models: the model's release was already asked for. */
  release_already_requested: 409,
  /** Sandbox models: the artifact is not released (yet, or at all). */
  model_not_released: 409,
  /** Sandbox models: a release downloads once, and this one was downloaded. */
  artifact_already_downloaded: 409,
  /** Sandbox exports (ADR 0038): only a job whose result passed disclosure control can be exported. */
  job_not_released: 409,
  /** Sandbox exports: an export of this job was already asked for (one per job). */
  export_already_requested: 409,
  /** Sandbox exports: the export is not approved (held for review, or rejected): nothing downloads. */
  export_not_approved: 409,
  internal_error: 500,
  unavailable: 503,
  /** The operator or the bureau halted this product (or all) in an emergency (Art. 13; ADR 0029). */
  emergency_stop: 503,
} as const

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS

export class GatewayError extends Error {
  readonly status: number
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.status = GATEWAY_ERRORS[code]
  }
}
