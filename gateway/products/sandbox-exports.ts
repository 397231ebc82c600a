import type { DomainError } from '#platform/result.ts'
import type { Db } from '#db/client.ts'
import { downloadSandboxExport } from '#sandbox/exports/download-sandbox-export.ts'
import type { SandboxExportView } from '#sandbox/exports/export-view.ts'
import { getSandboxExport, listPartnerExports } from '#sandbox/exports/list-sandbox-exports.ts'
import { requestSandboxExport } from '#sandbox/exports/request-sandbox-export.ts'
import { DATA_SANDBOX_PRODUCT } from '#sandbox/sandbox-product.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { apiKeyActor } from '../reports/report-export-view.ts'
import type { ProductOperation } from './product-operation.ts'

export const SANDBOX_EXPORTS_PATH = '/api/v1/sandbox/exports'

/** An export refusal as the metered API answers it (codes in api-specs/openapi.yaml; ADR 0038). */
function toGatewayError(error: DomainError): GatewayError {
  switch (error.code) {
    case 'job_not_found':
    case 'export_not_found':
      return new GatewayError('not_found', error.message)
    case 'job_not_released':
    case 'export_already_requested':
    case 'export_not_approved':
      return new GatewayError(error.code, error.message)
    default:
      if (error.kind === 'validation' || error.kind === 'forbidden')
        return new GatewayError('validation_failed', error.message, error.fields)
      return new GatewayError('internal_error', error.message)
  }
}

const toApi = (e: SandboxExportView) => ({
  ...e,
  requestedAt: new Date(e.requestedAt).toISOString(),
  releasedAt: e.releasedAt === null ? null : new Date(e.releasedAt).toISOString(),
  links: { self: `${SANDBOX_EXPORTS_PATH}/${e.id}`, download: `${SANDBOX_EXPORTS_PATH}/${e.id}/download` },
})

/**
 * Reviewed result export of the data sandbox (issue 13, ADR 0038): ask for a released job's result to leave, follow the
 * review, and download the approved, watermarked file — each download metered as `export_bytes` (priced per MB).
 */
export function sandboxExportOperations(db: Db): ProductOperation[] {
  return [
    {
      operationId: 'requestSandboxExport',
      method: 'POST',
      path: SANDBOX_EXPORTS_PATH,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: true,
      async handle({ body, caller, now }) {
        const jobId = (body as { jobId?: unknown } | null)?.jobId
        if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 64)
          throw new GatewayError('validation_failed', 'jobId is required', { jobId: 'required' })
        const actor = apiKeyActor(caller)
        const requested = await requestSandboxExport(db, { actor, jobId, now })
        if (!requested.ok) throw toGatewayError(requested.error)
        const found = await getSandboxExport(db, { actor, exportId: requested.value.id })
        if (!found.ok) throw toGatewayError(found.error)
        const view = toApi(found.value)
        return { status: 202, body: view, headers: { location: view.links.self }, meters: { records: 0 } }
      },
    },
    {
      operationId: 'listSandboxExports',
      method: 'GET',
      path: SANDBOX_EXPORTS_PATH,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ caller }) {
        const listed = await listPartnerExports(db, { actor: apiKeyActor(caller) })
        if (!listed.ok) throw toGatewayError(listed.error)
        return { status: 200, body: { exports: listed.value.map(toApi) }, meters: { records: 0 } }
      },
    },
    {
      operationId: 'getSandboxExport',
      method: 'GET',
      path: `${SANDBOX_EXPORTS_PATH}/{exportId}`,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ params, caller }) {
        const found = await getSandboxExport(db, { actor: apiKeyActor(caller), exportId: params.exportId ?? '' })
        if (!found.ok) throw toGatewayError(found.error)
        return { status: 200, body: toApi(found.value), meters: { records: 0 } }
      },
    },
    {
      operationId: 'downloadSandboxExport',
      method: 'GET',
      path: `${SANDBOX_EXPORTS_PATH}/{exportId}/download`,
      productCode: DATA_SANDBOX_PRODUCT,
      readsBody: false,
      async handle({ params, caller, requestId, now }) {
        const file = await downloadSandboxExport(db, {
          actor: apiKeyActor(caller),
          exportId: params.exportId ?? '',
          now,
          requestId,
        })
        if (!file.ok) throw toGatewayError(file.error)
        const body = Buffer.from(file.value.content, 'utf8')
        return {
          status: 200,
          body,
          contentType: 'text/csv; charset=utf-8',
          headers: {
            'content-disposition': `attachment; filename="${file.value.filename}"`,
            'x-export-fingerprint': file.value.fingerprint,
          },
          // Every download is one export: its bytes, priced by `mb_exported`.
          meters: { records: 0, exportBytes: body.length },
        }
      },
    },
  ]
}
