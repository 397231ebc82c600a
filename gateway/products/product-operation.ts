import type { ProductDatasets } from './dataset-rules.ts'

/** The Art. 22 meters a call can report; `calls` is always 1 for an answered call. */
export interface CallMeters {
  records: number
  fieldsMasked: number
  computeMs: number
  exportBytes: number
}

/** Who is calling: resolved by the pipeline before the handler runs. */
export interface Caller {
  apiKeyId: string
  partnerId: string
  subscriptionId: string
  purpose: 'industrial' | 'public_interest'
}

export interface OperationContext {
  /** Parsed JSON body (operations with readsBody), else undefined. */
  body: unknown
  /** Path parameters from `{name}` segments of the operation's path. */
  params: Record<string, string>
  query: URLSearchParams
  requestId: string
  caller: Caller
  /** The product's own datasets with their current levels and field tags: they decide what may leave (Art. 4, 13). */
  datasets: ProductDatasets
  now: number
}

export interface OperationAnswer {
  status: number
  /** JSON-serialisable body, or a Buffer for downloads (then set contentType). */
  body: unknown
  contentType?: string
  headers?: Record<string, string>
  meters?: Partial<CallMeters>
  /**
   * Verification products: a stable key of the subject checked (e.g. the USCC). The pipeline counts distinct subjects
   * per key per day against the plan's limit (anti-enumeration, Art. 13) and stores only a keyed hash of it.
   */
  subjectKey?: string
}

/** One metered operation of one product, as declared in api-specs/openapi.yaml (operationId, x-product-code). */
export interface ProductOperation {
  operationId: string
  method: 'GET' | 'POST'
  /** e.g. `/api/v1/services/enterprise-credit-profile/{uscc}`; `{name}` segments become params. */
  path: string
  productCode: string
  readsBody: boolean
  /**
   * Subject key known before the handler runs (so the distinct-subjects limit can refuse the call before any data is
   * read). Return undefined when the operation has no subject.
   */
  subjectOf?: (input: { body: unknown; params: Record<string, string> }) => string | undefined
  handle(ctx: OperationContext): Promise<OperationAnswer>
}
