import type { Db } from '#db/client.ts'
import { createDatasetRules } from './dataset-rules.ts'
import { districtEconomyExportOperations } from './district-economy-export-operations.ts'
import { getEnterpriseCreditProfileOperation } from './get-enterprise-credit-profile.ts'
import { getTrafficFlowOperation } from './get-traffic-flow.ts'
import type { ProductOperation } from './product-operation.ts'
import { queryAggregateOperation } from './query-aggregate.ts'
import { scoreEnterpriseCreditOperation } from './score-enterprise-credit.ts'
import { standardizeAddressOperation } from './standardize-address.ts'
import { validateUsccOperation } from './validate-uscc.ts'
import { verifyEnterpriseOperation } from './verify-enterprise.ts'
import { verifyLegalRepresentativeOperation } from './verify-legal-representative.ts'

/**
 * Every metered operation the gateway serves, one or more per product; each is declared in api-specs/openapi.yaml
 * with the same method, path, operationId and x-product-code (test/integration/openapi-spec.test.ts).
 */
export function createProductOperations(db: Db): ProductOperation[] {
  const datasetRules = createDatasetRules(db)
  return [
    verifyEnterpriseOperation(db, datasetRules),
    verifyLegalRepresentativeOperation(db, datasetRules),
    getEnterpriseCreditProfileOperation(db, datasetRules),
    getTrafficFlowOperation(db, datasetRules),
    scoreEnterpriseCreditOperation(db, datasetRules),
    queryAggregateOperation(db, datasetRules),
    standardizeAddressOperation(),
    validateUsccOperation(),
    ...districtEconomyExportOperations(db, datasetRules),
  ]
}
