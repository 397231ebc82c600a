// Gateway domain functions the UI may call (issue 4). Routes import them through #app/domain.server.ts.
export { summarizeUsage } from '#gateway/usage/summarize-usage.ts'
export { listApiKeys } from '#gateway/keys/list-api-keys.ts'
