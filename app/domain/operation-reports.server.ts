// Operation reports (Art. 25; ADR 0035): the domain functions the UI may call. Routes import them through
// #app/domain.server.ts.
export { generateOperationReport } from '#reporting/reports/generate-operation-report.ts'
export { saveReportNarrative } from '#reporting/reports/save-report-narrative.ts'
export { submitOperationReport } from '#reporting/reports/submit-operation-report.ts'
export { decideOperationReport } from '#reporting/reports/decide-operation-report.ts'
export { getOperationReport, listOperationReports } from '#reporting/reports/find-operation-report.ts'
export type { OperationReport, OperationReportSummary } from '#reporting/reports/find-operation-report.ts'
export { renderReportCharts } from '#reporting/render/report-charts.ts'
export { renderReportPdf } from '#reporting/render/render-report-pdf.ts'
export { renderReportCsv, renderReportXlsx } from '#reporting/render/render-report-sheets.ts'
export { FIGURE_LABELS, SECTION_LABELS } from '#reporting/figures/figure-labels.ts'
export { NARRATIVE_KEYS, NARRATIVE_MAX_LENGTH, BUREAU_COMMENT_MAX_LENGTH } from '#reporting/reports/report-narrative.ts'
