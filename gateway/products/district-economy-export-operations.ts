import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import type { DomainError } from '#platform/result.ts'
import { TtlCache } from '../access/ttl-cache.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { createReportExport } from '../reports/create-report-export.ts'
import { downloadReportExport } from '../reports/download-report-export.ts'
import { getReportExport } from '../reports/get-report-export.ts'
import { apiKeyActor, DISTRICT_ECONOMY_EXPORTS_PATH } from '../reports/report-export-view.ts'
import type { LoadProductDatasets } from './dataset-rules.ts'
import { parseInput } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type ExportRequest = components['schemas']['ReportExportRequest']

const DISTRICT_ECONOMY_REPORT_PRODUCT = 'district-economy-report'

const bodySchema: z.ZodType<ExportRequest> = z
  .object({
    district: z.string().regex(/^\d{6}$/),
    period: z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/),
    format: z.enum(['pdf', 'csv']),
  })
  .strict()

function toGatewayError(error: DomainError): GatewayError {
  return error.kind === 'validation'
    ? new GatewayError('validation_failed', error.message, error.fields)
    : error.kind === 'not_found'
      ? new GatewayError('not_found', error.message)
      : error.kind === 'rate_limited'
        ? new GatewayError('rate_limited', error.message, undefined, { 'retry-after': '10' })
        : new GatewayError('internal_error', error.message)
}

/**
 * 数据报告 (report): the district economic report, exported through a job — create (202), poll, download. The
 * download is metered as `export_bytes`. A job belongs to the partner whose key created it.
 */
export function districtEconomyExportOperations(db: Db, datasetRules: LoadProductDatasets): ProductOperation[] {
  const productIds = new TtlCache<string, string>(60_000)
  const productId = () =>
    productIds.get(DISTRICT_ECONOMY_REPORT_PRODUCT, async () => {
      const [row] = await db
        .select({ id: products.id })
        .from(products)
        .where(eq(products.code, DISTRICT_ECONOMY_REPORT_PRODUCT))
        .limit(1)
      if (!row) throw new Error(`product ${DISTRICT_ECONOMY_REPORT_PRODUCT} is not registered`)
      return row.id
    })

  return [
    {
      operationId: 'createDistrictEconomyExport',
      method: 'POST',
      path: DISTRICT_ECONOMY_EXPORTS_PATH,
      productCode: DISTRICT_ECONOMY_REPORT_PRODUCT,
      readsBody: true,
      async handle({ body, caller, requestId, now }) {
        const input = parseInput(
          bodySchema,
          body,
          'Body must be { "district": "<6-digit code>", "period": "YYYY|YYYY-Qn|YYYY-MM", "format": "pdf"|"csv" }',
        )
        const created = await createReportExport(db, {
          ...input,
          caller,
          productId: await productId(),
          requestId,
          now,
          datasetRules,
        })
        if (!created.ok) throw toGatewayError(created.error)
        return { status: 202, body: created.value, headers: { location: created.value.links.self }, meters: { records: 0 } }
      },
    },
    {
      operationId: 'getDistrictEconomyExport',
      method: 'GET',
      path: `${DISTRICT_ECONOMY_EXPORTS_PATH}/{id}`,
      productCode: DISTRICT_ECONOMY_REPORT_PRODUCT,
      readsBody: false,
      async handle({ params, caller }) {
        const found = await getReportExport(db, { id: params.id ?? '', partnerId: caller.partnerId })
        if (!found.ok) throw toGatewayError(found.error)
        return { status: 200, body: found.value, meters: { records: 0 } }
      },
    },
    {
      operationId: 'downloadDistrictEconomyExport',
      method: 'GET',
      path: `${DISTRICT_ECONOMY_EXPORTS_PATH}/{id}/download`,
      productCode: DISTRICT_ECONOMY_REPORT_PRODUCT,
      readsBody: false,
      async handle({ params, caller, requestId }) {
        const file = await downloadReportExport(db, {
          id: params.id ?? '',
          partnerId: caller.partnerId,
          actor: apiKeyActor(caller),
          requestId,
        })
        if (!file.ok) throw toGatewayError(file.error)
        return {
          status: 200,
          body: file.value.content,
          contentType: file.value.contentType,
          headers: { 'content-disposition': `attachment; filename="${file.value.filename}"` },
          meters: { records: 0, exportBytes: file.value.content.length },
        }
      },
    },
  ]
}
