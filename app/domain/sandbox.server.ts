// The data sandbox (ADR 0038) as the UI reaches it: the developer's overview. Jobs run through the metered API.
export { getSandboxOverview } from '#sandbox/jobs/get-sandbox-overview.ts'
