import type { Db } from '#db/client.ts'

/** The Art. 22 meters a call can report; `calls` is always 1 for an answered call. */
export interface CallMeters {
  records: number
  fieldsMasked: number
  computeMs: number
  exportBytes: number
}

export interface OperationContext {
  db: Db
  body: unknown
  requestId: string
}

export interface OperationAnswer {
  status: number
  body: unknown
  meters?: Partial<CallMeters>
}

/** One metered operation of one product, as declared in api-specs/openapi.yaml. */
export interface ProductOperation {
  operationId: string
  method: 'GET' | 'POST'
  path: string
  productCode: string
  readsBody: boolean
  handle(ctx: OperationContext): Promise<OperationAnswer>
}
