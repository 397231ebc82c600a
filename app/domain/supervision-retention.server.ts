// Log retention (Art. 17; ADR 0027) for the bureau's page. Routes import these through #app/domain.server.ts.
export { listRetentionPolicies } from '#supervision/retention/list-retention-policies.ts'
export { setRetentionPolicy } from '#supervision/retention/set-retention-policy.ts'
export { purgeLogs } from '#supervision/retention/purge-logs.ts'
export { LOG_KINDS, LEGAL_MINIMUM_MONTHS, MAX_KEEP_MONTHS } from '#supervision/retention/log-tables.ts'
