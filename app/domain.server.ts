// The only door from the UI into the domain modules. Routes import from here,
// never from drizzle-orm or the schema (eslint.config.js enforces it).
// Each area lists its functions in app/domain/<area>.server.ts.
export { signIn } from '#platform/identity/sign-in.ts'
export { signOut } from '#platform/identity/sign-out.ts'
export { listAuditEntries } from '#platform/audit/list-audit-entries.ts'
export { verifyAuditChain } from '#platform/audit/verify-audit-chain.ts'
// The city's calendar, for dates shown and read on forms.
export { addCalendarMonths, formatDay, parseDay, parseDayEnd } from '#platform/calendar/shanghai-calendar.ts'
export * from './domain/catalog.server.ts'
export * from './domain/gateway.server.ts'
export * from './domain/billing.server.ts'
export * from './domain/identity.server.ts'
export * from './domain/supervision-emergency.server.ts'
export * from './domain/supervision-cases.server.ts'
export * from './domain/supervision-logs.server.ts'
export * from './domain/supervision-retention.server.ts'
export * from './domain/supervision-feed.server.ts'
export * from './domain/partner-applications.server.ts'
export * from './domain/partner-agreements.server.ts'
export * from './domain/partner-exits.server.ts'
export * from './domain/partner-plans.server.ts'
export * from './domain/partner-team.server.ts'
export * from './domain/operation-reports.server.ts'
