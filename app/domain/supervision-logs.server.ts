// Log search, export and chain verification for the auditor and the bureau; auditor accounts (ADR 0026).
export { searchLogs, LOG_PAGE_SIZE, type LogPage } from '#supervision/logs/search-logs.ts'
export { exportLogs } from '#supervision/logs/export-logs.ts'
export { verifyAuditChainFor } from '#supervision/logs/verify-chain.ts'
export { listLogFilterOptions } from '#supervision/logs/list-log-filter-options.ts'
export { FILTERS_OF_KIND, type LogKind, type LogFilter } from '#supervision/logs/log-query.ts'
export type { LogRow } from '#supervision/logs/read-log-page.ts'
export {
  createAuditor,
  extendAuditorTerm,
  endAuditorAccess,
  listAuditors,
  AUDITOR_MAX_TERM_MONTHS,
} from '#platform/identity/auditor-accounts.ts'
