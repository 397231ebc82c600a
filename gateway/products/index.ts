import type { Db } from '#db/client.ts'
import type { ProductOperation } from './product-operation.ts'
import { verifyEnterpriseOperation } from './verify-enterprise.ts'

/** Every metered operation the gateway serves, one or more per product (api-specs/openapi.yaml). */
export function createProductOperations(db: Db): ProductOperation[] {
  return [verifyEnterpriseOperation(db)]
}
