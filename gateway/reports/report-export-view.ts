import type { components } from '#api-specs/generated/openapi.d.ts'
import type { reportExports } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import type { Caller } from '../products/product-operation.ts'

export type ReportExportJob = components['schemas']['ReportExportJob']
export type ReportExportRow = typeof reportExports.$inferSelect

export const DISTRICT_ECONOMY_EXPORTS_PATH = '/api/v1/reports/district-economy/exports'

export interface ReportExportParams {
  district: string
  period: string
}

/** The job as the API shows it: never its content. */
export function toReportExportJob(row: Omit<ReportExportRow, 'content'>): ReportExportJob {
  const params = JSON.parse(row.params) as ReportExportParams
  const self = `${DISTRICT_ECONOMY_EXPORTS_PATH}/${row.id}`
  return {
    id: row.id,
    state: row.state,
    progress: row.progress,
    format: row.format,
    district: params.district,
    period: params.period,
    createdAt: new Date(row.createdAt).toISOString(),
    completedAt: row.completedAt === null ? null : new Date(row.completedAt).toISOString(),
    bytes: row.bytes,
    error: row.error,
    links: { self, download: `${self}/download` },
  }
}

/** Who changes an export through the API: the calling key (no user; the partner is in the detail). */
export const apiKeyActor = (caller: Caller): Actor => ({
  id: null,
  label: `api_key:${caller.apiKeyId}`,
  role: 'partner_api',
  partnerId: caller.partnerId,
})
