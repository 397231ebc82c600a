import type { Db } from '#db/client.ts'
import { createDatasetRules, type LoadProductDatasets } from './dataset-rules.ts'
import { districtEconomyExportOperations } from './district-economy-export-operations.ts'
import { getEnterpriseCreditProfileOperation } from './get-enterprise-credit-profile.ts'
import { getTrafficFlowOperation } from './get-traffic-flow.ts'
import type { ProductOperation } from './product-operation.ts'
import { queryAggregateOperation } from './query-aggregate.ts'
import { sandboxOperations } from './sandbox-jobs.ts'
import { sandboxExportOperations } from './sandbox-exports.ts'
import { sandboxModelOperations } from './sandbox-models.ts'
import { scoreEnterpriseCreditOperation } from './score-enterprise-credit.ts'
import { standardizeAddressOperation } from './standardize-address.ts'
import { validateUsccOperation } from './validate-uscc.ts'
import { verifyEnterpriseOperation } from './verify-enterprise.ts'
import { verifyLegalRepresentativeOperation } from './verify-legal-representative.ts'

/**
 * Every metered operation the gateway serves, one or more per product; each is declared in api-specs/openapi.yaml
 * with the same method, path, operationId and x-product-code (test/integration/openapi-spec.test.ts). A call's
 * handler gets its product's dataset rules from the pipeline; report jobs, which outlive the call, load them with
 * `datasetRules` when they run.
 */
export function createProductOperations(db: Db, datasetRules: LoadProductDatasets = createDatasetRules(db)): ProductOperation[] {
  return [
    verifyEnterpriseOperation(db),
    verifyLegalRepresentativeOperation(db),
    getEnterpriseCreditProfileOperation(db),
    getTrafficFlowOperation(db),
    scoreEnterpriseCreditOperation(db),
    queryAggregateOperation(db),
    standardizeAddressOperation(),
    validateUsccOperation(),
    ...districtEconomyExportOperations(db, datasetRules),
    ...sandboxOperations(db),
    ...sandboxExportOperations(db),
    ...sandboxModelOperations(db),
  ]
}
