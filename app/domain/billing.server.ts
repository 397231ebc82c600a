// Billing domain functions the UI may call (issue 5). Routes import them through #app/domain.server.ts.
export {}
