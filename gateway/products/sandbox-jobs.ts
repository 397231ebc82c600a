import type { Db } from '#db/client.ts'
import type { DomainError } from '#platform/result.ts'
import { getPrivacyBudget } from '#sandbox/privacy/privacy-budget.ts'
import { runSandboxJob } from '#sandbox/jobs/run-sandbox-job.ts'
import { DATA_SANDBOX_PRODUCT } from '#sandbox/sandbox-product.ts'
import { GatewayError } from '../http/gateway-error.ts'
import type { ProductOperation } from './product-operation.ts'
import { sandboxProductIdOf } from './sandbox-product-id.ts'

/** A refusal of the sandbox as the metered API answers it (codes in api-specs/openapi.yaml; ADR 0038). */
function toGatewayError(error: DomainError, now: number, renewsAt?: number): GatewayError {
  switch (error.code) {
    case 'dataset_not_found':
      return new GatewayError('not_found', error.message)
    case 'too_many_groups':
      return new GatewayError('too_many_groups', error.message, error.fields)
    case 'differencing_risk':
      return new GatewayError('differencing_risk', error.message)
    case 'privacy_budget_exhausted': {
      const seconds = renewsAt === undefined ? 3600 : Math.max(1, Math.ceil((renewsAt - now) / 1000))
      return new GatewayError('privacy_budget_exhausted', error.message, error.fields, { 'retry-after': String(seconds) })
    }
    default:
      // Schema, whitelist and join problems; a level that forbids aggregates (`output_not_permitted`) names the level.
      if (error.kind === 'validation' || error.kind === 'forbidden')
        return new GatewayError('validation_failed', error.message, error.fields)
      return new GatewayError('internal_error', error.message)
  }
}

/**
 * 数据沙箱 (component): analysis jobs over the datasets the sandbox product draws on (ADR 0038). A job answers only
 * disclosed aggregates; its compute time is metered as `compute_ms` and its rows read as `records`. The budget read is
 * a metered call like any other.
 */
export function sandboxOperations(db: Db): ProductOperation[] {
  const productId = sandboxProductIdOf(db)
  return [
    {
      operationId: 'createSandboxJob',
      method: 'POST',
      path: '/api/v1/sandbox/jobs',
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: true,
      async handle({ body, caller, datasets, requestId, now }) {
        const ran = await runSandboxJob(db, {
          caller: { ...caller, productId: await productId() },
          requestId,
          body,
          datasets: datasets.all,
          now,
        })
        if (!ran.ok) {
          const renewsAt =
            ran.error.code === 'privacy_budget_exhausted'
              ? (await getPrivacyBudget(db, { subscriptionId: caller.subscriptionId, now })).renewsAt
              : undefined
          throw toGatewayError(ran.error, now, renewsAt)
        }
        const { result, rowsRead } = ran.value
        return {
          status: 200,
          body: { ...result, budget: { ...result.budget, renewsAt: new Date(result.budget.renewsAt).toISOString() } },
          meters: { records: rowsRead, computeMs: result.computeMs },
        }
      },
    },
    {
      operationId: 'getSandboxBudget',
      method: 'GET',
      path: '/api/v1/sandbox/budget',
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ caller, now }) {
        const budget = await getPrivacyBudget(db, { subscriptionId: caller.subscriptionId, now })
        return { status: 200, body: { ...budget, renewsAt: new Date(budget.renewsAt).toISOString() } }
      },
    },
  ]
}
