// The only door from the UI into the domain modules. Routes import from here,
// never from drizzle-orm or the schema (eslint.config.js enforces it).
export { signIn } from '#platform/identity/sign-in.ts'
export { signOut } from '#platform/identity/sign-out.ts'
export { summarizeUsage } from '#gateway/usage/summarize-usage.ts'
export { listApiKeys } from '#gateway/keys/list-api-keys.ts'
export { listPublishedProducts } from '#catalog/products/list-published-products.ts'
export { listDatasets } from '#catalog/datasets/list-datasets.ts'
export { listAuditEntries } from '#platform/audit/list-audit-entries.ts'
export { verifyAuditChain } from '#platform/audit/verify-audit-chain.ts'
