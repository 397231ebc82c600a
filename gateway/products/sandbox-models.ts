import type { Db } from '#db/client.ts'
import type { DomainError } from '#platform/result.ts'
import { downloadModelArtifact } from '#sandbox/models/download-model-artifact.ts'
import { getSandboxModel } from '#sandbox/models/get-sandbox-model.ts'
import type { SandboxModelView } from '#sandbox/models/model-view.ts'
import { requestModelRelease } from '#sandbox/models/request-model-release.ts'
import { trainSandboxModel } from '#sandbox/models/train-sandbox-model.ts'
import { DATA_SANDBOX_PRODUCT } from '#sandbox/sandbox-product.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { apiKeyActor } from '../reports/report-export-view.ts'
import type { ProductOperation } from './product-operation.ts'
import { sandboxProductIdOf } from './sandbox-product-id.ts'

export const SANDBOX_MODELS_PATH = '/api/v1/sandbox/models'

/** A model refusal as the metered API answers it (codes in api-specs/openapi.yaml; ADR 0044). */
function toGatewayError(error: DomainError): GatewayError {
  switch (error.code) {
    case 'dataset_not_found':
    case 'model_not_found':
      return new GatewayError('not_found', error.message)
    case 'reversibility_check_failed':
    case 'release_already_requested':
    case 'model_not_released':
    case 'artifact_already_downloaded':
      return new GatewayError(error.code, error.message, error.fields)
    default:
      if (error.kind === 'validation' || error.kind === 'forbidden')
        return new GatewayError('validation_failed', error.message, error.fields)
      return new GatewayError('internal_error', error.message)
  }
}

const toApi = (m: SandboxModelView) => {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  return {
    ...m,
    trainedAt: iso(m.trainedAt),
    requestedAt: iso(m.requestedAt),
    operatorReviewedAt: iso(m.operatorReviewedAt),
    bureauReviewedAt: iso(m.bureauReviewedAt),
    releasedAt: iso(m.releasedAt),
    downloadedAt: iso(m.downloadedAt),
    links: { self: `${SANDBOX_MODELS_PATH}/${m.id}`, artifact: `${SANDBOX_MODELS_PATH}/${m.id}/artifact` },
  }
}

/**
 * Models of the data sandbox (ADR 0044): train inside the platform (metered `compute_ms` and `records`, like a job),
 * read a model's measures and review state, ask for its release, and download a released artifact once.
 */
export function sandboxModelOperations(db: Db): ProductOperation[] {
  const productId = sandboxProductIdOf(db)
  return [
    {
      operationId: 'createSandboxModel',
      method: 'POST',
      path: SANDBOX_MODELS_PATH,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: true,
      async handle({ body, caller, datasets, requestId, now }) {
        const trained = await trainSandboxModel(db, {
          caller: { ...caller, productId: await productId() },
          requestId,
          body,
          datasets: datasets.all,
          now,
        })
        if (!trained.ok) throw toGatewayError(trained.error)
        const model = toApi(trained.value.model)
        return {
          status: 201,
          body: model,
          headers: { location: model.links.self },
          meters: { records: trained.value.rowsRead, computeMs: trained.value.computeMs },
        }
      },
    },
    {
      operationId: 'getSandboxModel',
      method: 'GET',
      path: `${SANDBOX_MODELS_PATH}/{modelId}`,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ params, caller }) {
        const found = await getSandboxModel(db, { actor: apiKeyActor(caller), modelId: params.modelId ?? '' })
        if (!found.ok) throw toGatewayError(found.error)
        return { status: 200, body: toApi(found.value), meters: { records: 0 } }
      },
    },
    {
      operationId: 'requestSandboxModelRelease',
      method: 'POST',
      path: `${SANDBOX_MODELS_PATH}/{modelId}/release-request`,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ params, caller, requestId, now }) {
        const actor = apiKeyActor(caller)
        const modelId = params.modelId ?? ''
        const requested = await requestModelRelease(db, { actor, modelId, now, requestId })
        if (!requested.ok) throw toGatewayError(requested.error)
        const found = await getSandboxModel(db, { actor, modelId })
        if (!found.ok) throw toGatewayError(found.error)
        return { status: 202, body: toApi(found.value), meters: { records: 0 } }
      },
    },
    {
      operationId: 'downloadSandboxModelArtifact',
      method: 'GET',
      path: `${SANDBOX_MODELS_PATH}/{modelId}/artifact`,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ params, caller, requestId, now }) {
        const file = await downloadModelArtifact(db, {
          actor: apiKeyActor(caller),
          modelId: params.modelId ?? '',
          now,
          requestId,
        })
        if (!file.ok) throw toGatewayError(file.error)
        const content = JSON.stringify({ ...file.value, releasedAt: new Date(file.value.releasedAt).toISOString() })
        return {
          status: 200,
          body: Buffer.from(content, 'utf8'),
          contentType: 'application/json; charset=utf-8',
          headers: { 'content-disposition': `attachment; filename="model-${file.value.model}.json"` },
          // Billed as the release (model_release), not per byte.
          meters: { records: 0 },
        }
      },
    },
  ]
}
