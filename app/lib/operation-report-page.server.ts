import type { AppLoadContext } from '@remix-run/node'
import type { Lang } from '#app/i18n/messages.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import {
  FIGURE_LABELS,
  getOperationReport,
  renderReportCharts,
  renderReportCsv,
  renderReportPdf,
  renderReportXlsx,
  SECTION_LABELS,
} from '#app/domain.server.ts'

// What the operator's and the bureau's report pages load, and the downloads both offer: one report, one version.

/** `?version=` as a whole number, or null for the latest; anything else is not a version (404). */
export function readVersionParam(url: URL): number | null | 'invalid' {
  const text = url.searchParams.get('version')
  if (text === null || text === '') return null
  return /^[1-9]\d{0,3}$/.test(text) ? Number(text) : 'invalid'
}

export async function loadOperationReportPage(context: AppLoadContext, actor: Actor, period: string, url: URL, lang: Lang) {
  const version = readVersionParam(url)
  if (version === 'invalid') throw new Response('Not found', { status: 404 })
  const found = await getOperationReport(context.platform.db, { actor, period, version })
  if (!found.ok) throw new Response('Not found', { status: 404 })
  const labels = Object.fromEntries(Object.entries(FIGURE_LABELS).map(([k, v]) => [k, v[lang]]))
  const sections = Object.fromEntries(Object.entries(SECTION_LABELS).map(([k, v]) => [k, v[lang]]))
  return { report: found.value, charts: renderReportCharts(found.value.shown.figures, lang), labels, sections }
}

const CONTENT_TYPE = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const
export type ReportFormat = keyof typeof CONTENT_TYPE
export const isReportFormat = (v: string | null): v is ReportFormat => v === 'pdf' || v === 'xlsx' || v === 'csv'

/** A version of a report as a download, named by its period and version, never cached. */
export async function operationReportDownload(
  context: AppLoadContext,
  actor: Actor,
  period: string,
  url: URL,
): Promise<Response> {
  // No format named: the PDF, the one a person opening the link wants.
  const format = url.searchParams.get('format') ?? 'pdf'
  const version = readVersionParam(url)
  if (!isReportFormat(format) || version === 'invalid') throw new Response('Not found', { status: 404 })
  const found = await getOperationReport(context.platform.db, { actor, period, version })
  if (!found.ok) throw new Response('Not found', { status: 404 })
  const v = found.value.shown
  const body =
    format === 'csv'
      ? renderReportCsv(v.figures)
      : new Uint8Array(
          format === 'pdf'
            ? await renderReportPdf({
                figures: v.figures,
                narrative: v.narrative,
                version: v.version,
                state: v.state,
                submittedAt: v.submittedAt,
                bureauComment: v.bureauComment,
              })
            : await renderReportXlsx(v.figures, { version: v.version, state: v.state }),
        )
  return new Response(body, {
    headers: {
      'content-type': CONTENT_TYPE[format],
      'content-disposition': `attachment; filename="operation-report-${found.value.period}-v${v.version}.${format}"`,
      'cache-control': 'private, no-store',
    },
  })
}
