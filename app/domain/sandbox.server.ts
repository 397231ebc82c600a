// The data sandbox (ADR 0038) as the UI reaches it: the developer's overview. Jobs run through the metered API.
export { getSandboxOverview } from '#sandbox/jobs/get-sandbox-overview.ts'
// Reviewed result export (issue 13): requests and the reviewers' queue. Downloads go through the metered API.
export { requestSandboxExport } from '#sandbox/exports/request-sandbox-export.ts'
export { reviewSandboxExport } from '#sandbox/exports/review-sandbox-export.ts'
export { listExportReviews, listPartnerExports } from '#sandbox/exports/list-sandbox-exports.ts'
// Reviewed model release (issue 13, ADR 0044): the partner's models, release requests and the reviewers' queues.
// Training and downloads go through the metered API.
export { listModelReviews, listPartnerModels } from '#sandbox/models/list-sandbox-models.ts'
export { requestModelRelease } from '#sandbox/models/request-model-release.ts'
export { reviewModelRelease } from '#sandbox/models/review-model-release.ts'
export { traceExportFingerprint } from '#sandbox/exports/download-sandbox-export.ts'
